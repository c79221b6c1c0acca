namespace Karpenter.Orleans.Grains;

/// <summary>The grain storage every grain's state lives in (configured by Karpenter.Orleans.Storage).</summary>
internal static class StorageNames
{
    public const string Karpo = "karpo";
}

using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// An instance-type catalog (JSON) as <c>karpo simulate --instance-types</c> and the simulated cloud read
/// it. The contract: it loads, or a <see cref="ManifestException"/> names this file and the field.
/// </summary>
public sealed class CatalogTarget : FuzzTarget
{
    public const string Source = "fuzz-catalog.json";

    public override string Name => "catalog";

    public override IReadOnlyList<string> Tokens => FuzzTokens.Json;

    public override FuzzOutcome Execute(byte[] input)
    {
        try
        {
            CatalogLoader.Parse(Source, input);
            return FuzzOutcome.Accepted;
        }
        catch (ManifestException refused)
        {
            ManifestTarget.Located(refused, Source);
            Refused(refused);
            return FuzzOutcome.Refused;
        }
    }
}

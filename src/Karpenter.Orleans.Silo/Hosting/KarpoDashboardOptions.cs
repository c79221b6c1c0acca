namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>The Orleans dashboard, section <see cref="Section"/>, served under <see cref="RoutePrefix"/>.</summary>
public sealed class KarpoDashboardOptions
{
    public const string Section = "Karpo:Dashboard";

    public const string RoutePrefix = "/dashboard";

    public bool Enabled { get; set; } = true;
}

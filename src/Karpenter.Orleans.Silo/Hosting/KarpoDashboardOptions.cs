namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>
/// The Orleans dashboard, section <see cref="Section"/>, served under <see cref="RoutePrefix"/> to the admin
/// token only. Off unless enabled; the embedded default's appsettings.json turns it on, deploy/ leaves it off.
/// </summary>
public sealed class KarpoDashboardOptions
{
    public const string Section = "Karpo:Dashboard";

    public const string RoutePrefix = "/dashboard";

    public bool Enabled { get; set; }
}

using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>
/// The probes: <see cref="LivePath"/> answers while the process serves HTTP (restart it when not);
/// <see cref="ReadyPath"/> while the silo is an active member and grain storage reads and writes (send it
/// traffic only then). <see cref="HealthAlias"/> is the ready probe under its old name.
/// </summary>
internal static class KarpoHealthEndpoints
{
    public const string LivePath = "/livez";
    public const string ReadyPath = "/readyz";
    public const string HealthAlias = "/healthz";
    public const string ReadyTag = "ready";

    public static readonly string[] Paths = [LivePath, ReadyPath, HealthAlias];

    public static void MapKarpoHealth(this WebApplication app)
    {
        // No check at all: if this answers, the process is up; a storage outage must not get every silo restarted.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        var ready = new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) };
        app.MapHealthChecks(ReadyPath, ready);
        app.MapHealthChecks(HealthAlias, ready);
    }
}

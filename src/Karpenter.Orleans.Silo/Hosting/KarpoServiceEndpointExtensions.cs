using Karpenter.Orleans.Silo.Api;
using Karpenter.Orleans.Silo.Auth;
using Karpenter.Orleans.Silo.Console;
using Karpenter.Orleans.Silo.Telemetry;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>The request pipeline and every route, called from Program.cs.</summary>
public static class KarpoServiceEndpointExtensions
{
    /// <summary>
    /// Maps the probes (/livez, /readyz, /healthz), /metrics and /openapi/v1.json without authentication
    /// (/metrics with a read token when Karpo:Api:MetricsRequireToken), the Orleans dashboard behind the
    /// admin token when enabled, the bearer-token API under /api/v1, and the fleet web console at /.
    /// </summary>
    public static WebApplication MapKarpoService(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<ApiErrorMiddleware>();

        // Bodiless errors (unknown route, wrong method) get the same ApiError shape as the rest.
        app.UseStatusCodePages(async context =>
        {
            var response = context.HttpContext.Response;
            await response.WriteAsJsonAsync(new Karpenter.Orleans.Abstractions.ApiError(
                ReasonPhrases.GetReasonPhrase(response.StatusCode).ToLowerInvariant()));
        });
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapKarpoHealth();
        var metrics = app.MapPrometheusScrapingEndpoint(TelemetrySources.MetricsPath);
        if (app.Services.GetRequiredService<IOptions<KarpoApiOptions>>().Value.MetricsRequireToken)
        {
            metrics.RequireAuthorization(KarpoPolicies.Read);
        }

        app.MapOpenApi();

        // Its Trace page streams the silo's log and its Reminders page lists every cluster: admin only.
        if (app.Services.GetRequiredService<IOptions<KarpoDashboardOptions>>().Value.Enabled)
        {
            app.MapOrleansDashboard(KarpoDashboardOptions.RoutePrefix).RequireAuthorization(KarpoPolicies.Admin);
            app.MapDashboardLogin();
        }

        // Every API route needs a valid token at least; each then names the role it needs.
        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.MapClusterEndpoints();
        api.MapFleetEndpoints();
        app.MapKarpoConsole();
        return app;
    }
}

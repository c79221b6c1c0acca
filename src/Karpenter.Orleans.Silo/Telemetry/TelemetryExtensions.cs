using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Karpenter.Orleans.Silo.Telemetry;

/// <summary>Telemetry in one place: metrics for Prometheus, traces, and OTLP when an endpoint is configured.</summary>
internal static class TelemetryExtensions
{
    public static IHostApplicationBuilder AddKarpoTelemetry(this IHostApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection("Karpo:Telemetry:SeriesLimit").Get<SeriesLimits>() ?? new SeriesLimits();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(TelemetrySources.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(TelemetrySources.Karpo, TelemetrySources.OrleansMeter)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                foreach (var (instrument, limit) in limits.ByInstrument())
                {
                    metrics.AddView(instrument, new MetricStreamConfiguration { CardinalityLimit = limit });
                }
            })
            .WithTracing(tracing => tracing
                .AddSource(TelemetrySources.ActivitySources)
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsHousekeeping(context.Request.Path)));

        // The OTLP exporter reads OTEL_EXPORTER_OTLP_* itself; without an endpoint it would retry against localhost:4317 forever.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    // Scrapes and probes arrive every few seconds; tracing them would drown the traces worth reading.
    private static bool IsHousekeeping(PathString path) =>
        path.StartsWithSegments(TelemetrySources.MetricsPath) || Hosting.KarpoHealthEndpoints.Paths.Any(p => path.StartsWithSegments(p));
}

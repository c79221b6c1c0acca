using System.Text.Json;
using System.Text.Json.Serialization;
using Karpenter.Orleans.Silo.Api;
using Karpenter.Orleans.Silo.Auth;
using Karpenter.Orleans.Silo.Console;
using Karpenter.Orleans.Silo.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>Everything the service registers, called from Program.cs.</summary>
public static class KarpoServiceBuilderExtensions
{
    /// <summary>
    /// Adds the silo (clustering, storage, grains, simulated cloud and fleet, dashboard), the HTTP API with
    /// its bearer-token authentication, health checks, OpenAPI and telemetry. Options are bound from
    /// <c>Karpo:*</c> and validated at start.
    /// </summary>
    public static WebApplicationBuilder AddKarpoService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddKarpoOptions();
        builder.AddKarpoHttp();
        builder.AddKarpoAuth();
        builder.AddKarpoTelemetry();
        builder.AddKarpoOrleans();
        builder.AddKarpoConsole();
        return builder;
    }

    private static void AddKarpoOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KarpoApiOptions>().BindConfiguration(KarpoApiOptions.Section)
            .Validate(o => o.MaxRequestBodyBytes > 0, $"{KarpoApiOptions.Section}:MaxRequestBodyBytes must be positive.")
            .Validate(o => o.MaxSnapshotBytes > 0, $"{KarpoApiOptions.Section}:MaxSnapshotBytes must be positive.")
            .Validate(o => Uri.TryCreate(o.DefaultUrl, UriKind.Absolute, out _), $"{KarpoApiOptions.Section}:DefaultUrl must be an absolute URL.")
            .ValidateOnStart();

        // Messages name the setting, never its value: these settings are secrets.
        builder.Services.AddOptions<KarpoAuthOptions>().BindConfiguration(KarpoAuthOptions.Section)
            .Validate(o => o.AdminToken is null || !string.IsNullOrWhiteSpace(o.AdminToken) || o.AdminToken.Length == 0, $"{KarpoAuthOptions.Section}:AdminToken must not be blank.")
            .Validate(o => o.AgentTokenCacheSeconds is >= 0 and <= 3600, $"{KarpoAuthOptions.Section}:AgentTokenCacheSeconds must be within 0..3600.")
            .Validate(o => o.FailedTokenCacheSeconds is >= 0 and <= 3600, $"{KarpoAuthOptions.Section}:FailedTokenCacheSeconds must be within 0..3600.")
            .Validate(o => o.FailedAttemptsPerClient is >= 1 and <= 1_000_000, $"{KarpoAuthOptions.Section}:FailedAttemptsPerClient must be within 1..1000000.")
            .Validate(o => o.FailedAttemptsWindowSeconds is >= 1 and <= 86_400, $"{KarpoAuthOptions.Section}:FailedAttemptsWindowSeconds must be within 1..86400.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.TokensPath), $"{KarpoAuthOptions.Section}:TokensPath is required.")
            .ValidateOnStart();
        builder.Services.AddOptions<KarpoHostingOptions>().BindConfiguration(KarpoHostingOptions.Section).ValidateOnStart();
        builder.Services.AddOptions<KarpoDashboardOptions>().BindConfiguration(KarpoDashboardOptions.Section).ValidateOnStart();
    }

    private static void AddKarpoHttp(this WebApplicationBuilder builder)
    {
        // The embedded default listens on loopback only; ASPNETCORE_URLS, --urls, HTTP ports or Kestrel endpoints take over when given.
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["http_ports"])
            && string.IsNullOrEmpty(configuration["https_ports"]) && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(configuration[$"{KarpoApiOptions.Section}:{nameof(KarpoApiOptions.DefaultUrl)}"] ?? new KarpoApiOptions().DefaultUrl);
        }

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));

            // A number sent as a string is a wrong type, not a convenience.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });

        // Kestrel must let through what the API accepts; the API itself answers 413 above its own limit.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<KarpoApiOptions>>((kestrel, api) =>
        {
            var largest = Math.Max(api.Value.MaxRequestBodyBytes, api.Value.MaxSnapshotBytes);
            if (kestrel.Limits.MaxRequestBodySize is { } limit && limit < largest)
            {
                kestrel.Limits.MaxRequestBodySize = largest;
            }
        });

        builder.Services.AddSingleton<JsonRequestReader>();
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton<StorageHealthCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<SiloHealthCheck>("silo", tags: [KarpoHealthEndpoints.ReadyTag])
            .Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
                "storage", services => services.GetRequiredService<StorageHealthCheck>(), failureStatus: null, tags: [KarpoHealthEndpoints.ReadyTag]));
    }

    private static void AddKarpoAuth(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => ApiTokensFactory.Create(
            services.GetRequiredService<IOptions<KarpoAuthOptions>>().Value,
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiTokens).FullName!)));
        builder.Services.AddSingleton<AgentTokenCache>();
        builder.Services.AddSingleton<FailedAuthenticationLimiter>();
        builder.Services.AddHostedService<StartupAnnouncer>();

        builder.Services.AddAuthentication(KarpoPolicies.Scheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(KarpoPolicies.Scheme, configureOptions: null);
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, ClusterAccessHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(KarpoPolicies.Admin, policy => policy.RequireRole(KarpoRoles.Admin))
            .AddPolicy(KarpoPolicies.Console, policy => policy.RequireRole(KarpoRoles.Admin, KarpoRoles.Reader))
            .AddPolicy(KarpoPolicies.ClusterWrite, policy => policy.AddRequirements(new ClusterAccessRequirement(write: true)))
            .AddPolicy(KarpoPolicies.Read, policy => policy.AddRequirements(new ClusterAccessRequirement(write: false)));
    }
}

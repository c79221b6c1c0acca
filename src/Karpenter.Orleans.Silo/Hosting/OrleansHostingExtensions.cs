using Karpenter.Orleans.CloudProviders.Aws;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Grains;
using Karpenter.Orleans.Silo.Api;
using Karpenter.Orleans.Simulation;
using Karpenter.Orleans.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>The co-hosted silo: clustering, storage, grains, the simulated cloud, the AWS provider, the simulated fleet (its agents streaming to this silo in Kubernetes mode), dashboard.</summary>
internal static class OrleansHostingExtensions
{
    public const string ProvisioningSection = "Karpo:Provisioning";
    public const string SimulatedCloudSection = "Karpo:SimulatedCloud";
    public const string SimulatedFleetSection = "Karpo:SimulatedFleet";
    public const string AwsSection = AwsProviderOptions.SectionName;

    private const int DefaultSiloPort = 11111;
    private const int DefaultGatewayPort = 30000;

    public static IHostApplicationBuilder AddKarpoOrleans(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;

        // Orleans is configured while the host is built, before IOptions exist, so these are read directly;
        // the same sections are also bound as options (and validated) in AddKarpoService.
        var storage = configuration.GetSection(KarpoStorageOptions.Section).Get<KarpoStorageOptions>() ?? new KarpoStorageOptions();
        var hosting = configuration.GetSection(KarpoHostingOptions.Section).Get<KarpoHostingOptions>() ?? new KarpoHostingOptions();
        var dashboard = configuration.GetSection(KarpoDashboardOptions.Section).Get<KarpoDashboardOptions>() ?? new KarpoDashboardOptions();
        var clusterId = NonEmpty(configuration["Orleans:ClusterId"]) ?? KarpoHostingOptions.DefaultClusterId;
        var serviceId = NonEmpty(configuration["Orleans:ServiceId"]) ?? KarpoHostingOptions.DefaultServiceId;
        var siloPort = configuration.GetValue("Orleans:Endpoints:SiloPort", DefaultSiloPort);
        var gatewayPort = configuration.GetValue("Orleans:Endpoints:GatewayPort", DefaultGatewayPort);

        if (storage.Provider == StorageProvider.PostgreSql && string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            throw new InvalidOperationException($"{KarpoStorageOptions.Section}:ConnectionString is required when the provider is PostgreSql.");
        }

        builder.UseOrleans(silo =>
        {
            if (storage.Provider == StorageProvider.PostgreSql)
            {
                // Membership lives in PostgreSQL (AddKarpoStorage); endpoints come from Orleans:Endpoints or the pod.
                silo.Configure<ClusterOptions>(cluster =>
                {
                    cluster.ClusterId = clusterId;
                    cluster.ServiceId = serviceId;
                });
            }
            else
            {
                // One silo on this machine: Memory and SQLite have no membership table to share.
                silo.UseLocalhostClustering(siloPort, gatewayPort, primarySiloEndpoint: null, serviceId, clusterId);
            }

            silo.AddKarpoStorage(storage);

            if (hosting.Kubernetes)
            {
                silo.UseKubernetesHosting();
            }

            if (dashboard.Enabled)
            {
                silo.AddDashboard();
            }

            silo.AddActivityPropagation();
        });

        builder.Services.AddKarpoGrains(configuration.GetSection(ProvisioningSection));
        if (configuration.GetValue($"{SimulatedCloudSection}:Enabled", true))
        {
            builder.Services.AddSimulatedCloud(configuration.GetSection(SimulatedCloudSection));
        }

        // Always there: it makes no AWS call until a cluster registered with provider "aws" needs one.
        builder.Services.AddAwsCloud(configuration.GetSection(AwsSection));

        if (configuration.GetValue($"{SimulatedFleetSection}:Enabled", true))
        {
            // In Kubernetes mode the fleet's agents stream to this silo's own HTTP API, as a cluster's agent would.
            builder.Services.AddSimulatedFleet(configuration.GetSection(SimulatedFleetSection), services =>
                services.GetService<IServer>() is { } server
                    ? new Uri(LocalServiceUrl.Resolve(server, services.GetRequiredService<IOptions<KarpoApiOptions>>().Value.DefaultUrl))
                    : null);
        }

        return builder;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

using Karpenter.Orleans.Storage;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>Starts test clusters whose silos call <see cref="KarpoStorageSiloBuilderExtensions.AddKarpoStorage"/>.</summary>
/// <remarks>
/// The classic <see cref="TestCluster"/> rather than the in-process one: only its options let a
/// test turn the test-cluster membership off, which PostgreSQL's ADO.NET clustering needs.
/// Settings reach the silos through configuration under the real keys (Karpo:Storage:*).
/// </remarks>
internal static class StorageTestClusters
{
    /// <summary>
    /// A cluster of <paramref name="silos"/> silos with the given storage and a fixed ServiceId and
    /// ClusterId, so a second cluster started with the same ids finds the first one's rows.
    /// PostgreSql brings its own ADO.NET clustering (silos and client); the others use the test
    /// cluster's membership, as the embedded silo uses localhost clustering.
    /// </summary>
    public static async Task<TestCluster> StartAsync(KarpoStorageOptions options, string serviceId, string clusterId, short silos = 1)
    {
        var adoNetClustering = options.Provider == StorageProvider.PostgreSql;
        var builder = new TestClusterBuilder(silos);
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = clusterId;
        builder.Options.ConfigureFileLogging = false;
        builder.Options.UseTestClusterMembership = !adoNetClustering;
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{KarpoStorageOptions.Section}:{nameof(KarpoStorageOptions.Provider)}"] = options.Provider.ToString(),
            [$"{KarpoStorageOptions.Section}:{nameof(KarpoStorageOptions.ConnectionString)}"] = options.ConnectionString,
            [$"{KarpoStorageOptions.Section}:{nameof(KarpoStorageOptions.SqlitePath)}"] = options.SqlitePath,
            [$"{KarpoStorageOptions.Section}:{nameof(KarpoStorageOptions.ApplySchema)}"] = options.ApplySchema.ToString(),
        }));
        builder.AddSiloBuilderConfigurator<KarpoStorageSiloConfigurator>();
        if (adoNetClustering)
        {
            builder.AddClientBuilderConfigurator<AdoNetClusteringClientConfigurator>();
        }

        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>A ServiceId/ClusterId no other test uses.</summary>
    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>The storage options as a silo reads them from configuration.</summary>
    public static KarpoStorageOptions Read(IConfiguration configuration) =>
        configuration.GetSection(KarpoStorageOptions.Section).Get<KarpoStorageOptions>()
        ?? throw new InvalidOperationException($"No {KarpoStorageOptions.Section} section in the test cluster configuration.");
}

using Karpenter.Orleans.Service.Tests.TestGrains;
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
        var builder = Builder(options, serviceId, clusterId, silos, new Dictionary<string, string?>
        {
            [$"{KarpoStorageOptions.Section}:{nameof(KarpoStorageOptions.ApplySchema)}"] = options.ApplySchema.ToString(),
        });
        builder.AddSiloBuilderConfigurator<KarpoStorageSiloConfigurator>();
        return await DeployAsync(builder);
    }

    /// <summary>
    /// A builder for <paramref name="silos"/> silos with the storage settings (and <paramref name="settings"/>)
    /// in their configuration; with PostgreSql, ADO.NET clustering for silos and client instead of the test
    /// cluster's membership.
    /// </summary>
    public static TestClusterBuilder Builder(KarpoStorageOptions storage, string serviceId, string clusterId, short silos, Dictionary<string, string?> settings)
    {
        var adoNetClustering = storage.Provider == StorageProvider.PostgreSql;
        var builder = new TestClusterBuilder(silos);
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = clusterId;
        builder.Options.ConfigureFileLogging = false;
        builder.Options.UseTestClusterMembership = !adoNetClustering;
        settings[$"{KarpoStorageOptions.Section}:{nameof(KarpoStorageOptions.Provider)}"] = storage.Provider.ToString();
        settings[$"{KarpoStorageOptions.Section}:{nameof(KarpoStorageOptions.ConnectionString)}"] = storage.ConnectionString;
        settings[$"{KarpoStorageOptions.Section}:{nameof(KarpoStorageOptions.SqlitePath)}"] = storage.SqlitePath;
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        if (adoNetClustering)
        {
            builder.AddClientBuilderConfigurator<AdoNetClusteringClientConfigurator>();
        }

        return builder;
    }

    /// <summary>Builds and deploys; a cluster that fails to start is disposed, not leaked.</summary>
    public static async Task<TestCluster> DeployAsync(TestClusterBuilder builder)
    {
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

    /// <summary>
    /// Writes two entries through a probe grain, restarts the cluster with the same ids, and checks that the
    /// state and its version are read back (the version read is the one the next write must name).
    /// Returns the ServiceId, for checks on the rows.
    /// </summary>
    public static async Task<string> WriteRestartAndReadBackAsync(KarpoStorageOptions options, string prefix)
    {
        var serviceId = UniqueId($"{prefix}-svc");
        var clusterId = UniqueId($"{prefix}-cluster");
        await using (var first = await StartAsync(options, serviceId, clusterId))
        {
            var grain = first.Client.GetGrain<IStorageProbeGrain>("pool-a");
            Assert.Equal(1, await grain.RecordAsync("first", 2));
            Assert.Equal(2, await grain.RecordAsync("second", 4));
        }

        await using (var second = await StartAsync(options, serviceId, clusterId))
        {
            var grain = second.Client.GetGrain<IStorageProbeGrain>("pool-a");
            var state = await grain.GetAsync();
            Assert.Equal(2, state.Count);
            Assert.Equal(["first", "second"], state.Notes);
            Assert.Equal(new StorageProbeEntry("second", 4), state.Last);
            Assert.Equal(3, await grain.RecordAsync("third", 8));
        }

        return serviceId;
    }

    /// <summary>A ServiceId/ClusterId no other test uses.</summary>
    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>The storage options as a silo reads them from configuration.</summary>
    public static KarpoStorageOptions Read(IConfiguration configuration) =>
        configuration.GetSection(KarpoStorageOptions.Section).Get<KarpoStorageOptions>()
        ?? throw new InvalidOperationException($"No {KarpoStorageOptions.Section} section in the test cluster configuration.");
}

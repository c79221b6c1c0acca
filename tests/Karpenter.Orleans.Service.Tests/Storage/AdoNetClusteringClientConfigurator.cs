using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>Test clients of a PostgreSQL-clustered test cluster find the gateways in the membership table.</summary>
internal sealed class AdoNetClusteringClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = StorageTestClusters.Read(configuration).ConnectionString;
        });
}

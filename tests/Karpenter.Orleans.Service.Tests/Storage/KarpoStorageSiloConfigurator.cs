using Karpenter.Orleans.Storage;
using Orleans.TestingHost;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>Test silos: storage from the Karpo:Storage section, the way the service silo wires it.</summary>
internal sealed class KarpoStorageSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddKarpoStorage(StorageTestClusters.Read(siloBuilder.Configuration));
}

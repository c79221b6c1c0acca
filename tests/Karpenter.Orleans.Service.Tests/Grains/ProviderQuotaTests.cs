using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>
/// The vCPU quotas a provider reports for an account are the limits of that account's ledger: clusters
/// sharing the account launch within them together, without anyone setting a limit by hand.
/// </summary>
public sealed class ProviderQuotaTests
{
    private const string Region = "us-east-1";
    private const int Quota = 64;

    [Fact]
    public async Task Two_clusters_of_one_account_stay_within_the_quota_the_provider_reports()
    {
        var (service, cloud) = await StartAsync(new Dictionary<string, int> { [QuotaCodes.OnDemandStandard] = Quota, [QuotaCodes.SpotStandard] = Quota });
        await using var _ = service;
        var a = await RegisterAsync(service.Grains, "pq-a", Pods("a", 120, cpu: "1", memory: "2Gi"));
        var b = await RegisterAsync(service.Grains, "pq-b", Pods("b", 120, cpu: "1", memory: "2Gi"));

        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(a.ProvisionAsync(), b.ProvisionAsync(), a.ProvisionAsync(), b.ProvisionAsync());
        }

        var ledger = await service.Grains.GetGrain<IQuotaGrain>($"{QuotaReportingCloud.ProviderName}/{Account}/{Region}").GetLedgerAsync();
        Assert.Equal(Quota, ledger.Single(l => l.QuotaCode == QuotaCodes.OnDemandStandard).Limit);
        Assert.Equal(Quota, ledger.Single(l => l.QuotaCode == QuotaCodes.SpotStandard).Limit);
        var vcpus = (await cloud.GetInstanceTypesAsync(Region)).InstanceTypes.ToDictionary(t => t.Name, t => (int)Math.Ceiling(t.Capacity.MilliCpu / 1000.0));
        var running = (await cloud.ListAsync(Region, "pq-a")).Concat(await cloud.ListAsync(Region, "pq-b")).ToList();
        Assert.NotEmpty(running);
        foreach (var group in running.GroupBy(i => QuotaCodes.For(i.InstanceType, i.CapacityType)))
        {
            Assert.True(group.Sum(i => vcpus[i.InstanceType]) <= Quota, $"{group.Key}: {group.Sum(i => vcpus[i.InstanceType])} vCPU launched over {Quota}");
        }

        // 240 vCPU of pods against 128 of quota: some wait, saying why.
        var waiting = (await a.GetPendingPodsAsync()).Concat(await b.GetPendingPodsAsync()).Where(p => p.NodeClaim is null).ToList();
        Assert.Contains(waiting, p => p.Reason.Contains("quota", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_limit_set_by_hand_wins_over_the_provider_s_and_a_raised_quota_is_seen_within_minutes()
    {
        var quotas = new Dictionary<string, int> { [QuotaCodes.OnDemandStandard] = Quota, [QuotaCodes.SpotStandard] = Quota };
        var (service, _) = await StartAsync(quotas);
        await using var _1 = service;
        var ledger = service.Grains.GetGrain<IQuotaGrain>($"{QuotaReportingCloud.ProviderName}/{Account}/{Region}");
        await ledger.SetLimitAsync(QuotaCodes.SpotStandard, 8);

        Assert.Equal(
            [new QuotaLine(QuotaCodes.OnDemandStandard, Quota, 0, 0), new QuotaLine(QuotaCodes.SpotStandard, 8, 0, 0)],
            (await ledger.GetLedgerAsync()).OrderBy(l => l.QuotaCode, StringComparer.Ordinal));
        Assert.False((await ledger.TryReserveAsync(new QuotaRequest("claim-1", QuotaCodes.SpotStandard, 16, "pq-a"))).Granted);

        quotas[QuotaCodes.OnDemandStandard] = 512;
        service.Clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(512, (await ledger.GetLedgerAsync()).Single(l => l.QuotaCode == QuotaCodes.OnDemandStandard).Limit);
        Assert.True((await ledger.TryReserveAsync(new QuotaRequest("claim-2", QuotaCodes.OnDemandStandard, 400, "pq-a"))).Granted);
    }

    [Fact]
    public async Task A_launch_the_cloud_refuses_for_the_accounts_vcpu_quota_teaches_the_ledger_for_every_cluster_of_the_account()
    {
        // No quota reported or set: the ledger knows no limit; the cloud's account has 16 on-demand vCPUs.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var cloud = ServiceCluster.NewCloud(clock, o => o.VcpuQuota[CapacityTypes.OnDemand] = 16);
        await using var service = await ServiceCluster.StartAsync(cloud, clock,
            services: s => s.AddSingleton<ICloudProvider>(new QuotaReportingCloud(cloud, Account, new Dictionary<string, int>())));
        var onDemand = NodePool(capacityTypes: "\"on-demand\"");
        var a = await RegisterAsync(service.Grains, "pq-a", Pods("a", 40, cpu: "1", memory: "2Gi"), onDemand);
        var ledger = service.Grains.GetGrain<IQuotaGrain>($"{QuotaReportingCloud.ProviderName}/{Account}/{Region}");

        for (var round = 0; round < 3; round++)
        {
            await a.ProvisionAsync();
        }

        var types = (await cloud.GetInstanceTypesAsync(Region)).InstanceTypes.ToDictionary(t => t.Name, t => (int)Math.Ceiling(t.Capacity.MilliCpu / 1000.0));
        var inUse = (await cloud.ListAsync(Region, "pq-a")).Sum(i => types[i.InstanceType]);
        Assert.InRange(inUse, 1, 16);
        var line = (await ledger.GetLedgerAsync()).Single(l => l.QuotaCode == QuotaCodes.OnDemandStandard);
        Assert.Equal(inUse, line.Limit);

        // Another cluster of the account now waits on the ledger, without asking the cloud.
        var b = await RegisterAsync(service.Grains, "pq-b", Pods("b", 4, cpu: "1", memory: "2Gi"), onDemand);
        await b.ProvisionAsync();
        Assert.Empty(await cloud.ListAsync(Region, "pq-b"));
        Assert.Contains(await b.GetPendingPodsAsync(), p => p.Reason.Contains($"quota {QuotaCodes.OnDemandStandard}", StringComparison.Ordinal));

        // The learnt limit lasts until the provider's quotas are asked again.
        service.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.NotEqual(inUse, (await ledger.GetLedgerAsync()).SingleOrDefault(l => l.QuotaCode == QuotaCodes.OnDemandStandard)?.Limit);
    }

    [Fact]
    public async Task Another_account_of_the_same_provider_does_not_get_the_reported_quota()
    {
        var (service, _) = await StartAsync(new Dictionary<string, int> { [QuotaCodes.OnDemandStandard] = Quota });
        await using var _1 = service;
        var other = service.Grains.GetGrain<IQuotaGrain>($"{QuotaReportingCloud.ProviderName}/999999999999/{Region}");

        Assert.True((await other.TryReserveAsync(new QuotaRequest("claim-1", QuotaCodes.OnDemandStandard, Quota * 2, "pq-c"))).Granted);
        Assert.DoesNotContain(await other.GetLedgerAsync(), l => l.Limit == Quota);
    }

    private static async Task<(ServiceCluster Service, SimulatedCloudProvider Cloud)> StartAsync(Dictionary<string, int> quotas)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var cloud = ServiceCluster.NewCloud(clock);
        var service = await ServiceCluster.StartAsync(cloud, clock,
            services: s => s.AddSingleton<ICloudProvider>(new QuotaReportingCloud(cloud, Account, quotas)));
        return (service, cloud);
    }

    private static async Task<IClusterGrain> RegisterAsync(IGrainFactory grains, string cluster, IEnumerable<k8s.Models.V1Pod> pods, string? nodePool = null)
    {
        await grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(
            new ClusterRegistration(cluster, QuotaReportingCloud.ProviderName, Region, Account, null), Sha256("token-" + cluster));
        var grain = grains.GetGrain<IClusterGrain>(cluster);
        var objects = new List<ClusterObject> { new(ObjectKind.NodePool, nodePool ?? NodePool()) };
        objects.AddRange(pods.Select(Object));
        Assert.Empty((await grain.ResyncAsync(new ClusterSnapshot("session-1", 0, objects))).Errors);
        return grain;
    }

    /// <summary>The simulated cloud under another name, reporting the account's quotas the way the AWS provider does from its configuration.</summary>
    private sealed class QuotaReportingCloud(SimulatedCloudProvider inner, string account, IReadOnlyDictionary<string, int> quotas) : ICloudProvider
    {
        public const string ProviderName = "quota-reporting";

        public string Name => ProviderName;

        public Task<IReadOnlyDictionary<string, int>?> GetVcpuQuotasAsync(string account1, string region, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<string, int>?>(account1 == account ? new Dictionary<string, int>(quotas) : null);

        public Task<IReadOnlyList<string>?> GetRegionsAsync(CancellationToken cancellationToken = default) => inner.GetRegionsAsync(cancellationToken);

        public Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default) => inner.GetInstanceTypesAsync(region, cancellationToken);

        public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default) => inner.LaunchAsync(request, cancellationToken);

        public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default) => inner.GetAsync(region, instanceId, cancellationToken);

        public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default) => inner.ListAsync(region, clusterId, cancellationToken);

        public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default) => inner.TerminateAsync(region, instanceId, cancellationToken);

        public Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default) => inner.ReceiveInterruptionsAsync(region, cancellationToken);
    }
}

using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>The account quota ledger under concurrency: clusters sharing an account never exceed it together.</summary>
public sealed class QuotaTests
{
    [Fact]
    public async Task Concurrent_holds_never_exceed_the_limit()
    {
        await using var service = await ServiceCluster.StartAsync();
        var quota = service.Grains.GetGrain<IQuotaGrain>("simulated/acct/us-east-1");
        await quota.SetLimitAsync(QuotaCodes.OnDemandStandard, 100);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            quota.TryReserveAsync(new QuotaRequest($"claim-{i}", QuotaCodes.OnDemandStandard, 4, i % 2 == 0 ? "a" : "b"))));

        Assert.Equal(25, decisions.Count(d => d.Granted));
        var line = Assert.Single(await quota.GetLedgerAsync());
        Assert.Equal(100, line.Reserved);
        Assert.All(decisions.Where(d => !d.Granted), d => Assert.Contains("exceed the limit of 100", d.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_clusters_provisioning_at_once_stay_within_the_account_quota()
    {
        await using var service = await ServiceCluster.StartAsync();
        const int Limit = 64;
        var quota = service.Grains.GetGrain<IQuotaGrain>($"simulated/{Account}/us-east-1");
        await quota.SetLimitAsync(QuotaCodes.OnDemandStandard, Limit);
        await quota.SetLimitAsync(QuotaCodes.SpotStandard, Limit);
        var a = await RegisterAsync(service.Grains, "quota-a", Pods("a", 120, cpu: "1", memory: "2Gi"));
        var b = await RegisterAsync(service.Grains, "quota-b", Pods("b", 120, cpu: "1", memory: "2Gi"));

        // Several rounds, as batches keep coming, all at once.
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(a.ProvisionAsync(), b.ProvisionAsync(), a.ProvisionAsync(), b.ProvisionAsync());
        }

        var ledger = await quota.GetLedgerAsync();
        Assert.All(ledger, l => Assert.True(l.InUse + l.Reserved <= l.Limit, $"{l.QuotaCode}: {l.InUse}+{l.Reserved} > {l.Limit}"));
        var catalog = await service.Cloud.GetInstanceTypesAsync("us-east-1");
        var vcpus = catalog.InstanceTypes.ToDictionary(t => t.Name, t => (int)Math.Ceiling(t.Capacity.MilliCpu / 1000.0));
        var running = (await service.Cloud.ListAsync("us-east-1", "quota-a")).Concat(await service.Cloud.ListAsync("us-east-1", "quota-b")).ToList();
        Assert.NotEmpty(running);
        foreach (var group in running.GroupBy(i => QuotaCodes.For(i.InstanceType, i.CapacityType)))
        {
            Assert.True(group.Sum(i => vcpus[i.InstanceType]) <= Limit, $"{group.Key}: {group.Sum(i => vcpus[i.InstanceType])} vCPU launched over {Limit}");
        }

        // What is left waiting says why.
        var waiting = (await a.GetPendingPodsAsync()).Concat(await b.GetPendingPodsAsync()).Where(p => p.NodeClaim is null).ToList();
        Assert.NotEmpty(waiting);
        Assert.Contains(waiting, p => p.Reason.Contains("quota", StringComparison.Ordinal));
    }
}

using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Service.Tests.Termination;
using Karpenter.Orleans.Service.Tests.TestSupport;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Disruption;

/// <summary>
/// Karpenter's disruption metrics, read from the service's meter as the Prometheus exporter reads them, for a
/// consolidation the service carries out: the decision with its decision, reason and consolidation_type labels,
/// the eligible nodes per reason, the disrupted NodeClaim with its reason, and a consolidation timeout when a
/// method stops at its limit.
/// </summary>
public sealed class DisruptionMetricsTests
{
    private static readonly Dictionary<string, string> Xlarge = new() { ["node.kubernetes.io/instance-type"] = "m5.xlarge" };

    private static readonly string Consolidating =
        NodePool(capacityTypes: "\"on-demand\"").Replace("\"WhenEmpty\"", "\"WhenEmptyOrUnderutilized\"", StringComparison.Ordinal);

    /// <summary>
    /// Two m5.xlarge nodes: "kept" runs a 2-cpu pod with do-not-disrupt (so it is no candidate); "light" ran a
    /// 3-cpu pod that is now gone and still runs a 500m pod, which fits on "kept". consolidateAfter has passed.
    /// </summary>
    private static async Task<(TestAgent Agent, NodeClaimInfo Light)> UnderusedNodeAsync(ServiceCluster service, string id)
    {
        var anchor = Pod("anchor-0", cpu: "2", nodeSelector: Xlarge);
        anchor.Metadata.Annotations = new Dictionary<string, string> { ["karpenter.sh/do-not-disrupt"] = "true" };
        var (agent, kept, _) = await TestAgent.NodeWithPodsAsync(service.Grains, id, [anchor], Consolidating);

        var big = Pod("big-0", cpu: "3", nodeSelector: Xlarge);
        await agent.SendAsync(big);
        await agent.Cluster.ProvisionAsync();
        var light = (await agent.Cluster.GetNodeClaimsAsync()).Single(c => c.Name != kept.Name);
        var lightNode = NodeFor(light);
        await agent.SendAsync(lightNode);
        TestAgent.Bind(big, lightNode);
        var small = Pod("small-0", cpu: "500m", nodeSelector: Xlarge);
        TestAgent.Bind(small, lightNode);
        await agent.SendAsync(big, small);
        await agent.Cluster.ReconcileAsync();

        await agent.DeletePodAsync(big);
        await agent.Cluster.ReconcileAsync();
        service.Clock.Advance(TimeSpan.FromSeconds(31));
        return (agent, light);
    }

    [Fact]
    public async Task A_single_node_consolidation_yields_karpenters_decision_eligible_and_disrupted_series()
    {
        await using var service = await ServiceCluster.StartAsync(configure: s => s["Karpo:Provisioning:ConsolidationValidationPeriod"] = "00:00:00");
        using var metrics = new MetricRecorder("metrics-single");
        var (agent, light) = await UnderusedNodeAsync(service, "metrics-single");

        await agent.Cluster.ReconcileAsync();

        // The pass that acted: one candidate for consolidation ("kept" is held by its do-not-disrupt pod), none empty or drifted.
        Assert.Equal(new Dictionary<string, double> { ["reason=drifted"] = 0, ["reason=empty"] = 0, ["reason=underutilized"] = 1 },
            metrics.Gauge(MetricNames.VoluntaryDisruptionEligibleNodes));
        Assert.Equal(new Dictionary<string, long> { ["consolidation_type=single,decision=delete,reason=underutilized"] = 1 },
            metrics.Counter(MetricNames.VoluntaryDisruptionDecisions));
        Assert.Equal(NodeClaimPhase.Disrupting, await agent.PhaseAsync(light.Name));

        // Once the taint is on, the command hands the claim to termination, which counts it as disrupted.
        await Eventually.TrueAsync(async () =>
        {
            await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);
            await agent.Cluster.ReconcileAsync();
            return metrics.Counter(MetricNames.NodeClaimsDisrupted).Count > 0;
        }, "the claim is handed to termination");
        Assert.Equal(new Dictionary<string, long> { ["capacity_type=on-demand,nodepool=default,reason=underutilized"] = 1 },
            metrics.Counter(MetricNames.NodeClaimsDisrupted));
        Assert.Empty(metrics.Counter(MetricNames.VoluntaryDisruptionConsolidationTimeouts));
    }

    [Fact]
    public async Task Single_node_consolidation_stopping_at_its_limit_counts_a_timeout_and_decides_nothing()
    {
        await using var service = await ServiceCluster.StartAsync(configure: s =>
        {
            s["Karpo:Provisioning:ConsolidationValidationPeriod"] = "00:00:00";
            s["Karpo:Provisioning:SingleNodeConsolidationLimit"] = "0";
        });
        using var metrics = new MetricRecorder("metrics-limit");
        var (agent, light) = await UnderusedNodeAsync(service, "metrics-limit");

        await agent.Cluster.ReconcileAsync();

        Assert.Equal(new Dictionary<string, long> { ["consolidation_type=single"] = 1 }, metrics.Counter(MetricNames.VoluntaryDisruptionConsolidationTimeouts));
        Assert.Empty(metrics.Counter(MetricNames.VoluntaryDisruptionDecisions));
        Assert.Equal(NodeClaimPhase.Initialized, await agent.PhaseAsync(light.Name));
        // The node is still eligible: the limit, not a block, kept it.
        Assert.Equal(1, metrics.Gauge(MetricNames.VoluntaryDisruptionEligibleNodes)["reason=underutilized"]);
    }

    [Fact]
    public async Task An_empty_node_is_decided_with_consolidation_type_empty_and_disrupted_with_reason_empty()
    {
        await using var service = await ServiceCluster.StartAsync(configure: s => s["Karpo:Provisioning:ConsolidationValidationPeriod"] = "00:00:00");
        using var metrics = new MetricRecorder("metrics-empty");
        var pod = Pod("temp-0", nodeSelector: Xlarge);
        var (agent, claim, _) = await TestAgent.NodeWithPodsAsync(service.Grains, "metrics-empty", [pod], Consolidating);
        await agent.DeletePodAsync(pod);
        await agent.Cluster.ReconcileAsync();
        service.Clock.Advance(TimeSpan.FromSeconds(31));

        await agent.Cluster.ReconcileAsync();

        Assert.Equal(1, metrics.Gauge(MetricNames.VoluntaryDisruptionEligibleNodes)["reason=empty"]);
        Assert.Equal(new Dictionary<string, long> { ["consolidation_type=empty,decision=delete,reason=empty"] = 1 },
            metrics.Counter(MetricNames.VoluntaryDisruptionDecisions));
        await Eventually.TrueAsync(async () =>
        {
            await agent.AckAsync(await agent.CommandsAsync(), CommandOutcome.Done);
            await agent.Cluster.ReconcileAsync();
            return metrics.Counter(MetricNames.NodeClaimsDisrupted).Count > 0;
        }, "the claim is handed to termination");
        Assert.Equal(new Dictionary<string, long> { ["capacity_type=on-demand,nodepool=default,reason=empty"] = 1 },
            metrics.Counter(MetricNames.NodeClaimsDisrupted));
        Assert.NotEqual(NodeClaimPhase.Initialized, await agent.PhaseAsync(claim.Name));
    }
}

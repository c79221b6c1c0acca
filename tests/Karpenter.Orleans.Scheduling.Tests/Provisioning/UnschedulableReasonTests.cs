using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Provisioning;

/// <summary>Every pod that cannot be placed gets exactly one reason that names its cause.</summary>
public sealed class UnschedulableReasonTests
{
    [Fact]
    public void EachUnschedulablePodHasExactlyOneNonEmptyReason()
    {
        var o = TestCatalogs.ThreeSizes("zone-a", "zone-b")
            .Pool(new NodePoolBuilder("limited").Weight(10).Limit("cpu", "8"))
            .Pool(new NodePoolBuilder("tainted").Weight(5).Taint("dedicated", "x"))
            .Pod(new PodBuilder("huge", "64", "1Gi"))
            .Pod(new PodBuilder("typo", "100m", "128Mi").NodeSelector(TestLabels.Team, "x"))
            .Pod(new PodBuilder("nowhere", "100m", "128Mi").NodeSelector(WellKnownLabels.Zone, "zone-z"))
            .Replicas(3, "big", cpu: "7", memory: "1Gi")
            .Pod(new PodBuilder("ok", "100m", "128Mi"))
            .Solve();

        var pending = o.Input.Pods.Select(PodFacts.Key).ToList();
        foreach (var pod in pending)
        {
            var reasons = o.Result.Unschedulable.Where(u => u.Pod == pod).ToList();
            Assert.True(o.IsPlaced(pod) ? reasons.Count == 0 : reasons.Count == 1, $"{pod}: placed={o.IsPlaced(pod)}, reasons={reasons.Count}");
            Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        }

        o.AssertUnschedulable("huge");
        o.AssertUnschedulable("typo");
        o.AssertUnschedulable("nowhere");
        o.AssertPlaced("ok");
        Assert.Equal(o.Result.Unschedulable.Count, o.Result.Summary.Unschedulable);
    }

    [Fact]
    public void TheTaintReasonMentionsTheTaint()
    {
        var o = TestCatalogs.ThreeSizes().Pool(new NodePoolBuilder("gpu").Taint("nvidia.com/gpu", "true")).Pod(new PodBuilder("web")).Solve();

        o.AssertUnschedulable("web", "taint", "tolerat");
    }

    [Fact]
    public void TheResourceReasonMentionsResources()
    {
        var o = TestCatalogs.ThreeSizes().Pod(new PodBuilder("web", "100", "1Gi")).Solve();

        o.AssertUnschedulable("web", "resource", "cpu");
    }

    [Fact]
    public void TheLimitReasonMentionsTheLimit()
    {
        var o = TestCatalogs.ThreeSizes()
            .Pool(new NodePoolBuilder().Limit("cpu", "1"))
            .Pod(new PodBuilder("web", "100m", "128Mi"))
            .Solve();

        Assert.Empty(o.Claims);
        o.AssertUnschedulable("web", "limit");
    }

    [Fact]
    public void TheTopologyReasonMentionsTopology()
    {
        var o = TestCatalogs.ThreeSizes("zone-a")
            .Replicas(2, "web", p => p.Label("app", "web").Spread(WellKnownLabels.Zone, 1, "app", "web", minDomains: 2))
            .Solve();

        o.AssertUnschedulable(Assert.Single(o.Result.Unschedulable).Pod, "topology", "spread", "skew", "domain");
    }

    [Fact]
    public void TheNodeSelectorReasonNamesTheLabel()
    {
        var o = TestCatalogs.ThreeSizes().Pod(new PodBuilder("web").NodeSelector(TestLabels.Team, "x")).Solve();

        o.AssertUnschedulable("web", TestLabels.Team);
    }

    [Fact]
    public void ASelectorNoNodePoolCanMeetIsReportedWithTheRequirement()
    {
        var o = TestCatalogs.ThreeSizes().Pod(new PodBuilder("web").NodeSelector(TestLabels.Family, "zzz")).Solve();

        o.AssertUnschedulable("web", TestLabels.Family, "requirement", "selector", "affinity");
    }
}

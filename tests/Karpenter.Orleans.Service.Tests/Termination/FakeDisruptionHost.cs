using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Grains.Clusters;
using Karpenter.Orleans.Grains.Clusters.Disruption;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Service.Tests.Termination;

/// <summary>
/// The cluster grain's part of the queue and the termination flow, in memory: claims change phase when told,
/// replacements are created as Launched claims (or refused), nodes hold no pods. Records what was asked.
/// </summary>
internal sealed class FakeDisruptionHost : IDisruptionHost
{
    public string ClusterId => "fake";

    public DateTimeOffset Now { get; set; } = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public ClusterState State { get; } = new();

    public bool AgentSynced => true;

    public HashSet<string> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>How many replacements the cloud launches (the rest fail).</summary>
    public int Launchable { get; set; } = int.MaxValue;

    public List<string> Terminated { get; } = [];

    public int Saves { get; private set; }

    public void AddClaim(string name, string node, NodeClaimPhase phase = NodeClaimPhase.Initialized)
    {
        State.Claims[name] = new ClaimEntry { NodePool = "default", Phase = phase, NodeName = node, InstanceId = "i-" + name, InitializedAt = Now };
        Nodes.Add(node);
    }

    public bool HasNode(string node) => Nodes.Contains(node);

    public IReadOnlyList<TrackedPod> PodsOn(string node) => [];

    public IReadOnlyCollection<V1Pod> AllPods() => [];

    public IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets => [];

    public TimeSpan? TerminationGracePeriod(string nodePool) => null;

    public Task MarkPhaseAsync(string claim, NodeClaimPhase phase, string reason)
    {
        State.Claims[claim].Phase = phase;
        State.Claims[claim].Reason = reason;
        return Task.CompletedTask;
    }

    public Task TerminateAsync(string claim, string reason)
    {
        State.Claims[claim].Phase = NodeClaimPhase.Terminated;
        Terminated.Add(claim);
        return Task.CompletedTask;
    }

    public Task SaveAsync()
    {
        Saves++;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> CreateReplacementsAsync(IReadOnlyList<PlannedNodeClaim> plans)
    {
        var created = new List<string>();
        foreach (var plan in plans.Take(Launchable))
        {
            State.Claims[plan.Name] = new ClaimEntry { NodePool = plan.NodePool, Phase = NodeClaimPhase.Launched, InstanceType = plan.InstanceType, CreatedAt = Now };
            created.Add(plan.Name);
        }

        return Task.FromResult<IReadOnlyList<string>>(created);
    }

    public Task CancelDisruptionAsync(string claim, NodeClaimPhase phase)
    {
        State.Claims[claim].Phase = phase;
        return Task.CompletedTask;
    }
}

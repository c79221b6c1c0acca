using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>
/// A cluster after a large scale-in: Karpenter's benchmark workload of <c>pods</c> pods is provisioned by the
/// solver (its claims become initialized nodes with the pods bound), then a seeded random share of the pods
/// goes away. <see cref="Remaining"/> is the same surviving pods pending, for the fresh solve the
/// consolidated cluster's cost is compared with.
/// </summary>
public sealed class ScaleInCluster
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private ScaleInCluster(DisruptionInput input, SchedulingInput remaining)
    {
        Input = input;
        Remaining = remaining;
    }

    public DisruptionInput Input { get; }

    public SchedulingInput Remaining { get; }

    /// <param name="pods">Pods provisioned before the scale-in (10,000 gives about 2,000 nodes: a fifth of the pods repel each other per host).</param>
    /// <param name="keep">Share of the pods that survive (0.25 for a 75% scale-in).</param>
    /// <param name="seed">Seeds the workload and which pods survive.</param>
    /// <param name="budget">The NodePool's one disruption budget.</param>
    public static ScaleInCluster Create(int pods, double keep, int seed = 7, string budget = "10%")
    {
        var workload = BenchmarkWorkload.Create(pods, seed: seed);
        var provisioned = ProvisioningSolver.Solve(workload);
        var pool = BenchmarkWorkload.NodePool with
        {
            Disruption = new NodePoolDisruption(ConsolidationPolicy.WhenEmptyOrUnderutilized, TimeSpan.Zero, [new DisruptionBudget(budget)]),
        };
        var byName = workload.Pods.ToDictionary(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}", StringComparer.Ordinal);
        var random = new Random(seed);
        var nodes = new List<ClusterNode>();
        var bound = new List<V1Pod>();
        var pending = new List<V1Pod>();
        var created = Now.AddDays(-1);
        foreach (var claim in provisioned.NodeClaims)
        {
            var type = workload.Catalog.InstanceTypes.Single(t => t.Name == claim.InstanceType);
            var labels = new Dictionary<string, string>(claim.Labels, StringComparer.Ordinal) { [WellKnownLabels.Hostname] = claim.Name };
            nodes.Add(new ClusterNode
            {
                Node = new V1Node
                {
                    Metadata = new V1ObjectMeta { Name = claim.Name, Labels = labels },
                    Status = new V1NodeStatus
                    {
                        Allocatable = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
                        {
                            ["cpu"] = new($"{type.Allocatable.MilliCpu}m"),
                            ["memory"] = new($"{type.Allocatable.Memory}"),
                            ["pods"] = new($"{type.Allocatable.Pods}"),
                        },
                    },
                },
                NodeClaim = claim.Name,
                NodePool = claim.NodePool,
                InstanceType = claim.InstanceType,
                Zone = claim.Zone,
                CapacityType = claim.CapacityType,
                PricePerHour = claim.PricePerHour,
                CreatedAt = created,
                InitializedAt = created,
                LastPodEventAt = created,
            });
            foreach (var key in claim.Pods)
            {
                if (random.NextDouble() >= keep)
                {
                    continue;
                }

                var pod = byName[key];
                pending.Add(pod);
                bound.Add(Bind(pod, claim.Name));
            }
        }

        var input = new DisruptionInput { Catalog = workload.Catalog, NodePools = [pool], Nodes = nodes, Pods = bound, Now = Now };
        return new ScaleInCluster(input, workload with { NodePools = [pool], Pods = pending });
    }

    private static V1Pod Bind(V1Pod pod, string node) => new()
    {
        ApiVersion = pod.ApiVersion,
        Kind = pod.Kind,
        Metadata = pod.Metadata,
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = pod.Spec.Containers,
            Affinity = pod.Spec.Affinity,
            TopologySpreadConstraints = pod.Spec.TopologySpreadConstraints,
        },
        Status = new V1PodStatus { Phase = "Running" },
    };
}

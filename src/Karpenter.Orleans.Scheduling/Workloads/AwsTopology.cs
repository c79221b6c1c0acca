namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>Which topology constraints the AWS mixed workload keeps; the resource mix is the same in every variant.</summary>
public enum AwsTopology
{
    /// <summary>Every constraint of the table in docs/benchmarks.md.</summary>
    Full,

    /// <summary>
    /// Without hostname anti-affinity (zookeeper, kafka) and the soft hostname spread (queue-worker):
    /// zonal spread, selectors, taints and DaemonSets stay. The workload class the 3% cost goal is stated for.
    /// </summary>
    NoHostname,

    /// <summary>No topology constraint at all: only selectors, tolerations, capacity types and DaemonSets.</summary>
    None,
}

namespace Karpenter.Orleans.Scheduling.Termination;

/// <summary>
/// The four groups Karpenter's termination controller evicts a draining node's pods in, one group at a time:
/// a group is asked to go only once every pod of the groups before it is gone or terminating, so critical
/// pods and DaemonSet pods (log shippers, CNI agents) outlive the workloads they serve, as graceful node
/// shutdown orders them.
/// </summary>
public enum EvictionGroup
{
    /// <summary>Pods neither critical nor of a DaemonSet: evicted first.</summary>
    NonCriticalWorkload = 0,

    /// <summary>DaemonSet pods that are not critical.</summary>
    NonCriticalDaemonSet = 1,

    /// <summary>Pods of priority class system-cluster-critical or system-node-critical not of a DaemonSet.</summary>
    CriticalWorkload = 2,

    /// <summary>Critical DaemonSet pods: evicted last.</summary>
    CriticalDaemonSet = 3,
}

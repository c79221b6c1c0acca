namespace Karpenter.Orleans.Grains.Telemetry;

/// <summary>
/// Metric names as Prometheus shows them. Karpenter's names where Karpenter has the metric (so existing
/// dashboards and alerts keep working), <c>karpo_</c> for what only a fleet service can measure. Every
/// series carries a <c>cluster</c> label besides the ones noted.
/// </summary>
public static class MetricNames
{
    /// <summary>Counter of NodeClaims launched; labels nodepool, reason (provisioning), capacity_type.</summary>
    public const string NodeClaimsCreated = "karpenter_nodeclaims_created_total";

    /// <summary>Counter of launched NodeClaims ended; labels nodepool, reason (emptiness, interruption, registration_timeout, instance_terminated, node_deleted, orphan, disrupted, deleted).</summary>
    public const string NodeClaimsTerminated = "karpenter_nodeclaims_terminated_total";

    /// <summary>Counter; labels nodepool, reason (empty, drifted, expired, interrupted, underutilized), capacity_type.</summary>
    public const string NodeClaimsDisrupted = "karpenter_nodeclaims_disrupted_total";

    /// <summary>Counter of disruption commands the planner started; labels decision (delete, replace), reason (empty, drifted, expired, interrupted, underutilized), consolidation_type (empty, multi, single; empty for the other methods, as Karpenter's drift).</summary>
    public const string VoluntaryDisruptionDecisions = "karpenter_voluntary_disruption_decisions_total";

    /// <summary>Gauge; the candidates the last disruption pass found before acting, label reason (empty, drifted, underutilized), as Karpenter counts them per method.</summary>
    public const string VoluntaryDisruptionEligibleNodes = "karpenter_voluntary_disruption_eligible_nodes";

    /// <summary>Counter; label consolidation_type (multi, single). Karpenter counts its methods' timeouts; the planner has no clock, so it counts the passes a method stopped at its candidate limit with candidates left.</summary>
    public const string VoluntaryDisruptionConsolidationTimeouts = "karpenter_voluntary_disruption_consolidation_timeouts_total";

    /// <summary>Histogram, seconds one disruption pass (the planner) took.</summary>
    public const string VoluntaryDisruptionEvaluationDuration = "karpenter_voluntary_disruption_decision_evaluation_duration_seconds";

    /// <summary>Histogram, seconds from a pod's creation to its binding.</summary>
    public const string PodsStartupDuration = "karpenter_pods_startup_duration_seconds";

    /// <summary>Gauge; pending pods waiting for capacity.</summary>
    public const string SchedulerQueueDepth = "karpenter_scheduler_queue_depth";

    /// <summary>Gauge; pods the last provisioning run could not place.</summary>
    public const string UnschedulablePods = "karpenter_scheduler_unschedulable_pods_count";

    /// <summary>Histogram, seconds one solver run took.</summary>
    public const string SchedulingDuration = "karpenter_scheduler_scheduling_duration_seconds";

    /// <summary>Gauge; labels nodepool, resource_type (cpu, memory, nodes).</summary>
    public const string NodePoolUsage = "karpenter_nodepools_usage";

    /// <summary>Gauge; labels nodepool, resource_type.</summary>
    public const string NodePoolLimit = "karpenter_nodepools_limit";

    /// <summary>Counter; labels controller, method, provider, error (InsufficientCapacity, QuotaExceeded, Unauthorized, ...).</summary>
    public const string CloudProviderErrors = "karpenter_cloudprovider_errors_total";

    /// <summary>Counter; label message_type (spot_interruption, rebalance, scheduled_change, state_change).</summary>
    public const string InterruptionMessages = "karpenter_interruption_received_messages_total";

    /// <summary>Gauge, dollars per hour of a cluster's running and launching instances; label region.</summary>
    public const string ClusterCost = "karpo_cluster_cost_per_hour";

    /// <summary>Gauge, a cluster's spend cap in dollars per hour (absent when uncapped).</summary>
    public const string ClusterSpendCap = "karpo_cluster_spend_cap_per_hour";

    /// <summary>Gauge, the fleet's committed dollars per hour (no cluster label).</summary>
    public const string FleetCost = "karpo_fleet_cost_per_hour";

    /// <summary>Gauge, the fleet's spend cap in dollars per hour (no cluster label).</summary>
    public const string FleetSpendCap = "karpo_fleet_spend_cap_per_hour";

    /// <summary>SLI. Histogram, seconds from a pod first seen pending to bound.</summary>
    public const string PodSchedulingLatency = "karpo_pod_scheduling_latency_seconds";

    /// <summary>SLI. Histogram, seconds from NodeClaim creation to its node initialized; label nodepool.</summary>
    public const string NodeProvisioningDuration = "karpo_node_provisioning_duration_seconds";

    /// <summary>SLI. Counter of launches; labels result (success, failure), reason (failures only: the cloud's error code of the last option tried, QuotaExceeded, InstanceConflict).</summary>
    public const string ProvisioningAttempts = "karpo_provisioning_attempts_total";

    /// <summary>Histogram, seconds one cluster reconcile (housekeeping) took.</summary>
    public const string ReconcileDuration = "karpo_reconcile_duration_seconds";

    /// <summary>Gauge, seconds since the cluster's agent last reported.</summary>
    public const string AgentLag = "karpo_agent_lag_seconds";

    /// <summary>Counter of spot interruptions; labels region, instance_type, zone.</summary>
    public const string SpotInterruptions = "karpo_spot_interruptions_total";

    /// <summary>Gauge of nodes by capacity type; labels nodepool, capacity_type.</summary>
    public const string Nodes = "karpo_nodes";

    /// <summary>Counter of pods that waited because a spend cap was reached.</summary>
    public const string SpendCapBlocked = "karpo_spend_cap_blocked_pods_total";

    /// <summary>Counter of refused attempts to bind an instance that another NodeClaim holds; labels provider, region (no cluster label).</summary>
    public const string InstanceBindingConflicts = "karpo_instance_binding_conflicts_total";

    /// <summary>Counter of pods quarantined because provisioning runs failed with them (each counted once per quarantine).</summary>
    public const string PodsQuarantined = "karpo_pods_quarantined_total";

    /// <summary>Gauge, a node's allocatable; labels node_name, nodepool, resource_type (cpu in cores, memory and storage in bytes, pods, extended resources), instance_type, capacity_type, zone, arch, os.</summary>
    public const string NodesAllocatable = "karpenter_nodes_allocatable";

    /// <summary>Gauge, what the pods bound to a node request, DaemonSet pods included; labels as <see cref="NodesAllocatable"/>.</summary>
    public const string NodesTotalPodRequests = "karpenter_nodes_total_pod_requests";

    /// <summary>Gauge, what the DaemonSet pods bound to a node request; labels as <see cref="NodesAllocatable"/>.</summary>
    public const string NodesTotalDaemonRequests = "karpenter_nodes_total_daemon_requests";

    /// <summary>Gauge, a node's capacity minus its allocatable; labels as <see cref="NodesAllocatable"/>.</summary>
    public const string NodesSystemOverhead = "karpenter_nodes_system_overhead";

    /// <summary>Gauge, 1 per pod; labels name, namespace, owner (kind/name of its controller), node, nodepool, zone, arch, capacity_type, instance_type, phase.</summary>
    public const string PodsState = "karpenter_pods_state";

    /// <summary>Histogram, seconds from a NodeClaim's deletion (drain start, or termination when there was nothing to drain) to its instance terminated; label nodepool.</summary>
    public const string NodeClaimsTerminationDuration = "karpenter_nodeclaims_termination_duration_seconds";

    /// <summary>Histogram, seconds per cloud provider call; labels controller, method, provider (no cluster label).</summary>
    public const string CloudProviderDuration = CloudProviders.CloudProviderMetrics.Duration;

    /// <summary>Gauge, vCPUs of an instance type; labels provider, region, instance_type (no cluster label).</summary>
    public const string InstanceTypeCpuCores = "karpenter_cloudprovider_instance_type_cpu_cores";

    /// <summary>Gauge, memory in bytes of an instance type; labels provider, region, instance_type (no cluster label).</summary>
    public const string InstanceTypeMemoryBytes = "karpenter_cloudprovider_instance_type_memory_bytes";

    /// <summary>Gauge, 1 when the offering can be launched now (not out of capacity, not avoided for interruptions); labels provider, region, instance_type, capacity_type, zone (no cluster label).</summary>
    public const string InstanceTypeOfferingAvailable = "karpenter_cloudprovider_instance_type_offering_available";

    /// <summary>Gauge, the offering's price in dollars per hour; labels as <see cref="InstanceTypeOfferingAvailable"/>.</summary>
    public const string InstanceTypeOfferingPriceEstimate = "karpenter_cloudprovider_instance_type_offering_price_estimate";

    /// <summary>Gauge, constant 1; labels version, commit, goversion (the .NET runtime), goarch (no cluster label).</summary>
    public const string BuildInfo = "karpenter_build_info";
}

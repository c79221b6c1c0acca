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

    /// <summary>Counter; labels nodepool, reason (empty, drifted, expired, interrupted, underutilized).</summary>
    public const string NodeClaimsDisrupted = "karpenter_nodeclaims_disrupted_total";

    /// <summary>Counter of disruption commands the planner started; labels decision (delete, replace), reason (empty, drifted, expired, interrupted, underutilized), consolidation_type (empty, multi, single, or none).</summary>
    public const string VoluntaryDisruptionDecisions = "karpenter_voluntary_disruption_decisions_total";

    /// <summary>Gauge; nodes the last disruption pass found disruptable (not blocked), label reason (the first method that would act, or none).</summary>
    public const string VoluntaryDisruptionEligibleNodes = "karpenter_voluntary_disruption_eligible_nodes";

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

    /// <summary>Counter; labels provider, error (InsufficientCapacity, QuotaExceeded, Unauthorized, ...).</summary>
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

    /// <summary>SLI. Counter of launches; label result (success, failure).</summary>
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
}

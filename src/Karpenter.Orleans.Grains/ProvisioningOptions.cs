using System.ComponentModel.DataAnnotations;
using Karpenter.Orleans.Scheduling.Disruption;

namespace Karpenter.Orleans.Grains;

/// <summary>How clusters provision and reconcile; section <see cref="Section"/>. Defaults follow Karpenter.</summary>
public sealed class ProvisioningOptions
{
    public const string Section = "Karpo:Provisioning";

    /// <summary>A batch of pending pods closes after this long without a new one (Karpenter: 1 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BatchIdleDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A batch closes at the latest this long after its first pod (Karpenter: 10 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan BatchMaxDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A launched NodeClaim whose node has not registered by then is deleted (Karpenter: 15 min).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RegistrationTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long an offering that failed for insufficient capacity stays unavailable (Karpenter: 3 min).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan UnavailableOfferingTtl { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How often a cluster runs its housekeeping while active.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An instance tagged for a cluster but owned by no live NodeClaim is terminated once older than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Spot pools interrupted at this rate or more (interruptions per launch, fleet-wide) are not used.</summary>
    [Range(0.0, 1.0)]
    public double SpotInterruptionRateThreshold { get; set; } = 0.2;

    /// <summary>
    /// Most offerings one NodeClaim launch request carries: the planned offering, then the cheapest others
    /// across its instance types and zones (the dearest fallbacks are cut). Default 200.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxLaunchOfferings { get; set; } = Scheduling.Provisioning.LaunchOfferings.DefaultMaxOfferings;

    /// <summary>vCPU limit of a quota nobody set explicitly; null means unlimited (still tracked).</summary>
    [Range(1, int.MaxValue)]
    public int? DefaultVcpuQuota { get; set; }

    /// <summary>Poll the clouds' interruption queues (off in tests that deliver notices by hand).</summary>
    public bool InterruptionPolling { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan InterruptionPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Run the batch timer and reconcile timer (tests may drive provisioning by hand instead).</summary>
    public bool Timers { get; set; } = true;

    /// <summary>
    /// A consolidation must save at least this many dollars per hour for each pod it disrupts (docs/disruption.md),
    /// so nothing churns for pennies; emptiness, drift, expiration and interruption are not held to it.
    /// </summary>
    [Range(0.0, 100.0)]
    public double ConsolidationMinSavingPerPodPerHour { get; set; } = 0.002;

    /// <summary>
    /// How many candidates multi-node consolidation considers at once (<c>DisruptionOptions.MultiNodeCandidateLimit</c>;
    /// Karpenter: 100). A pass that stops at it with candidates left counts one consolidation timeout.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MultiNodeConsolidationLimit { get; set; } = DisruptionOptions.Default.MultiNodeCandidateLimit;

    /// <summary>
    /// How many nodes single-node consolidation proves per pass (<c>DisruptionOptions.SingleNodeCandidateLimit</c>), where
    /// Karpenter stops after 3 minutes. A pass that stops at it with candidates left counts one consolidation timeout.
    /// </summary>
    [Range(0, 1_000_000)]
    public int SingleNodeConsolidationLimit { get; set; } = DisruptionOptions.Default.SingleNodeCandidateLimit;

    /// <summary>
    /// Karpenter's validation period: a consolidation command (emptiness, multi-node, single-node) waits this long
    /// after it is chosen and starts only if it still holds then (its nodes still candidates, no pod bound or
    /// nominated to them meanwhile, budgets still open, the move proven again). Zero starts commands at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ConsolidationValidationPeriod { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How many solves (provisioning, disruption and drain re-placement) the silo runs at once; 0 means one per
    /// core. They are CPU-bound, so with a hundred clusters solving together more at once only slows each one
    /// and ties up thread-pool threads; the others wait their turn without holding a thread.
    /// </summary>
    [Range(0, 1024)]
    public int MaxConcurrentSolves { get; set; }
}

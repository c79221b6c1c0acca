namespace Karpenter.Orleans.Grains.NodeClaims;

/// <summary>
/// A NodeClaim's status: phase, instance, node, times, reason, the cloud's notice. The one shape the claim's own
/// grain state and the cluster's index both keep (each adds what only it needs), and the one place the API's
/// <see cref="NodeClaimInfo"/> is made from or taken into. Stored flat, so older state reads unchanged.
/// </summary>
public class NodeClaimStatus
{
    public NodeClaimPhase Phase { get; set; }

    public string? InstanceId { get; set; }

    /// <summary>The type launched, or before launch the cheapest planned option.</summary>
    public string? InstanceType { get; set; }

    public string? Zone { get; set; }

    public string? CapacityType { get; set; }

    public double PricePerHour { get; set; }

    public string? NodeName { get; set; }

    public long CapacityMilliCpu { get; set; }

    public long CapacityMemory { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LaunchedAt { get; set; }

    public DateTimeOffset? RegisteredAt { get; set; }

    public DateTimeOffset? InitializedAt { get; set; }

    public DateTimeOffset? TerminatedAt { get; set; }

    public string? Reason { get; set; }

    /// <summary>
    /// The cloud's notice about the instance the cluster's disruption controller acts on: the most pressing one
    /// received (a deadline beats advice, an earlier deadline a later one). Null when none came.
    /// </summary>
    public InterruptionNotice? Interruption { get; set; }

    public bool IsLive => Phase != NodeClaimPhase.Terminated;

    /// <summary>The API's record of this status.</summary>
    public NodeClaimInfo ToInfo(string clusterId, string name, string nodePool) => new(clusterId, name, nodePool, Phase,
        InstanceId, InstanceType, Zone, CapacityType, PricePerHour, NodeName, CapacityMilliCpu, CapacityMemory,
        CreatedAt, LaunchedAt, RegisteredAt, InitializedAt, TerminatedAt, Reason, Interruption);

    /// <summary>
    /// Takes in what the claim's grain reported: what it knows replaces what this copy has, what it does not know
    /// (null) leaves it; price and capacity come with the instance. True when the phase, instance, node or notice changed.
    /// </summary>
    public bool Merge(NodeClaimInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var changed = Phase != info.Phase || InstanceId != info.InstanceId || NodeName != info.NodeName ||
            info.Interruption is not null && info.Interruption != Interruption;
        Interruption = info.Interruption ?? Interruption;
        Phase = info.Phase;
        InstanceId = info.InstanceId ?? InstanceId;
        InstanceType = info.InstanceType ?? InstanceType;
        Zone = info.Zone ?? Zone;
        CapacityType = info.CapacityType ?? CapacityType;
        if (info.InstanceId is not null)
        {
            PricePerHour = info.PricePerHour;
            CapacityMilliCpu = info.CapacityMilliCpu;
            CapacityMemory = info.CapacityMemory;
        }

        NodeName = info.NodeName ?? NodeName;
        Reason = info.Reason;
        TerminatedAt = info.TerminatedAt;
        LaunchedAt = info.LaunchedAt ?? LaunchedAt;
        RegisteredAt = info.RegisteredAt ?? RegisteredAt;
        InitializedAt = info.InitializedAt ?? InitializedAt;
        return changed;
    }
}

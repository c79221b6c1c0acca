using System.Text.Json.Serialization;

namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// A NodeClaim's status: phase, instance, node, times, reason, the cloud's notice. The one shape the claim's own
/// grain state, the cluster's index and the API's <see cref="NodeClaimInfo"/> all are (each adds what only it
/// needs: spec and launch bookkeeping, nominations and commands, the claim's name). Stored flat, so older state
/// reads unchanged.
/// </summary>
[GenerateSerializer]
public class NodeClaimStatus
{
    public NodeClaimStatus()
    {
    }

    /// <summary>A copy of <paramref name="other"/>'s status: the one place every status field is copied.</summary>
    protected NodeClaimStatus(NodeClaimStatus other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Phase = other.Phase;
        InstanceId = other.InstanceId;
        InstanceType = other.InstanceType;
        Zone = other.Zone;
        CapacityType = other.CapacityType;
        PricePerHour = other.PricePerHour;
        NodeName = other.NodeName;
        CapacityMilliCpu = other.CapacityMilliCpu;
        CapacityMemory = other.CapacityMemory;
        CreatedAt = other.CreatedAt;
        LaunchedAt = other.LaunchedAt;
        RegisteredAt = other.RegisteredAt;
        InitializedAt = other.InitializedAt;
        TerminatedAt = other.TerminatedAt;
        Reason = other.Reason;
        Interruption = other.Interruption;
    }

    [Id(0)]
    public NodeClaimPhase Phase { get; set; }

    [Id(1)]
    public string? InstanceId { get; set; }

    /// <summary>The type launched, or before launch the cheapest planned option.</summary>
    [Id(2)]
    public string? InstanceType { get; set; }

    [Id(3)]
    public string? Zone { get; set; }

    [Id(4)]
    public string? CapacityType { get; set; }

    [Id(5)]
    public double PricePerHour { get; set; }

    [Id(6)]
    public string? NodeName { get; set; }

    [Id(7)]
    public long CapacityMilliCpu { get; set; }

    [Id(8)]
    public long CapacityMemory { get; set; }

    [Id(9)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(10)]
    public DateTimeOffset? LaunchedAt { get; set; }

    [Id(11)]
    public DateTimeOffset? RegisteredAt { get; set; }

    [Id(12)]
    public DateTimeOffset? InitializedAt { get; set; }

    [Id(13)]
    public DateTimeOffset? TerminatedAt { get; set; }

    [Id(14)]
    public string? Reason { get; set; }

    /// <summary>
    /// The cloud's notice about the instance the cluster's disruption controller acts on: the most pressing one
    /// received (a deadline beats advice, an earlier deadline a later one). Null when none came.
    /// </summary>
    [Id(15)]
    public InterruptionNotice? Interruption { get; set; }

    [JsonIgnore]
    public bool IsLive => Phase != NodeClaimPhase.Terminated;

    /// <summary>The API's record of this status.</summary>
    public NodeClaimInfo ToInfo(string clusterId, string name, string nodePool) => new(clusterId, name, nodePool, this);

    /// <summary>
    /// Takes in what the claim's grain reported: what it knows replaces what this copy has, what it does not know
    /// (null) leaves it; price and capacity come with the instance. True when the phase, instance, node or notice changed.
    /// </summary>
    public bool Merge(NodeClaimStatus info)
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

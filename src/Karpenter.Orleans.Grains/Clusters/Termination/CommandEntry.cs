namespace Karpenter.Orleans.Grains.Clusters.Termination;

/// <summary>A command in the cluster's persisted outbox, delivered to the agent until it is acknowledged.</summary>
public sealed class CommandEntry
{
    public string Id { get; set; } = "";

    public ClusterCommandKind Kind { get; set; }

    public string Node { get; set; } = "";

    public string? Namespace { get; set; }

    public string? Pod { get; set; }

    public string? Taint { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    public ClusterCommand ToCommand() => new(Id, Kind, Node, Namespace, Pod, Taint, IssuedAt);
}

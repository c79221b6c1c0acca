namespace Karpenter.Orleans.Scheduling.Resources;

/// <summary>Resource names the solver keeps as fixed fields rather than in a dictionary.</summary>
public static class ResourceNames
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string Pods = "pods";
    public const string EphemeralStorage = "ephemeral-storage";

    /// <summary>NodePool limits may name <c>nodes</c>; it counts nodes, not a resource of a node.</summary>
    public const string Nodes = "nodes";
}

using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Tests.Termination;

/// <summary>Pods and budgets of a draining node, built the way a cluster reports them.</summary>
internal static class DrainPods
{
    public static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    public static V1Pod Pod(
        string name,
        string app = "web",
        bool daemon = false,
        bool critical = false,
        bool mirror = false,
        bool tolerates = false,
        bool doNotDisrupt = false,
        DateTimeOffset? deleting = null,
        string phase = "Running")
    {
        var owner = daemon
            ? new V1OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = app, Uid = app }
            : mirror
                ? new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = "node-a", Uid = "node-a" }
                : new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = app, Uid = app };
        return new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "default",
                Labels = new Dictionary<string, string> { ["app"] = app },
                OwnerReferences = [owner],
                Annotations = doNotDisrupt ? new Dictionary<string, string> { ["karpenter.sh/do-not-disrupt"] = "true" } : null,
                DeletionTimestamp = deleting?.UtcDateTime,
            },
            Spec = new V1PodSpec
            {
                NodeName = "node-a",
                PriorityClassName = critical ? "system-node-critical" : null,
                Tolerations = tolerates ? [new V1Toleration { Key = "karpenter.sh/disrupted", OperatorProperty = "Exists", Effect = "NoSchedule" }] : null,
                Containers = [new V1Container { Name = "c", Image = "pause" }],
            },
            Status = new V1PodStatus { Phase = phase },
        };
    }

    public static V1PodDisruptionBudget Pdb(string name, string app, int maxUnavailable) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MaxUnavailable = maxUnavailable,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
        },
    };

    public static string Key(V1Pod pod) => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
}

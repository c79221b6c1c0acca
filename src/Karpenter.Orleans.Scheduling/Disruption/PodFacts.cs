using System.Globalization;
using System.Reflection;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>What the planner needs to know of a pod: whether it moves, what evicting it costs, whether it may go.</summary>
internal static class PodFacts
{
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    private const string MirrorAnnotation = "kubernetes.io/config.mirror";

    private static readonly PropertyInfo[] SpecProperties =
        [.. typeof(V1PodSpec).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite)];

    public static string Key(V1Pod pod) => $"{pod.Metadata?.NamespaceProperty ?? "default"}/{pod.Metadata?.Name}";

    public static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>DaemonSet and mirror pods stay with their node: they are never moved and never block.</summary>
    public static bool StaysWithNode(V1Pod pod) =>
        pod.Metadata?.OwnerReferences?.Any(o => o.Kind == "DaemonSet") == true ||
        pod.Metadata?.Annotations?.ContainsKey(MirrorAnnotation) == true;

    /// <summary>Pods that need a new home when their node goes.</summary>
    public static bool Moves(V1Pod pod) => !IsTerminal(pod) && !StaysWithNode(pod);

    /// <summary>
    /// Karpenter's eviction cost: 1 + pod-deletion-cost / 2^27 + priority / 2^25, clamped to [-10, 10].
    /// </summary>
    public static double EvictionCost(V1Pod pod)
    {
        var cost = 1.0;
        if (pod.Metadata?.Annotations?.TryGetValue(DeletionCostAnnotation, out var text) == true &&
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var deletionCost))
        {
            cost += deletionCost / (double)(1 << 27);
        }

        if (pod.Spec?.Priority is { } priority)
        {
            cost += priority / (double)(1 << 25);
        }

        return Math.Clamp(cost, -10, 10);
    }

    /// <summary>
    /// Whether the pod's <c>karpenter.sh/do-not-disrupt</c> holds at <paramref name="now"/>: "true" always, a
    /// duration until that long after the pod started.
    /// </summary>
    public static bool DoNotDisrupt(V1Pod pod, DateTimeOffset now)
    {
        if (pod.Metadata?.Annotations?.TryGetValue(WellKnownLabels.DoNotDisruptAnnotation, out var value) != true || value is null)
        {
            return false;
        }

        if (value == "true")
        {
            return true;
        }

        if (!KubeDuration.TryParse(value, out var grace))
        {
            return false;
        }

        var started = pod.Status?.StartTime ?? pod.Metadata?.CreationTimestamp;
        return started is null || new DateTimeOffset(DateTime.SpecifyKind(started.Value, DateTimeKind.Utc)) + grace > now;
    }

    /// <summary>The pod as a pending pod (no nodeName), for the solver to place again.</summary>
    public static V1Pod Pending(V1Pod pod) => WithNode(pod, null, "Pending");

    /// <summary>The pod bound to <paramref name="node"/>, after a move.</summary>
    public static V1Pod BoundTo(V1Pod pod, string node) => WithNode(pod, node, "Running");

    private static V1Pod WithNode(V1Pod pod, string? node, string phase)
    {
        var spec = new V1PodSpec();
        if (pod.Spec is not null)
        {
            foreach (var p in SpecProperties)
            {
                p.SetValue(spec, p.GetValue(pod.Spec));
            }
        }

        spec.NodeName = node;
        return new V1Pod
        {
            ApiVersion = pod.ApiVersion,
            Kind = pod.Kind,
            Metadata = pod.Metadata,
            Spec = spec,
            Status = new V1PodStatus { Phase = phase, StartTime = pod.Status?.StartTime },
        };
    }
}

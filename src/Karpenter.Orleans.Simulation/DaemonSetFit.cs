using k8s.Models;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// Where the DaemonSet controller of either simulated cluster runs a DaemonSet's pod: nodes matching its node
/// selector whose NoSchedule and NoExecute taints its tolerations cover.
/// </summary>
internal static class DaemonSetFit
{
    public static bool RunsOn(V1PodSpec template, V1Node node) =>
        template.NodeSelector?.Any(s => node.Metadata.Labels?.TryGetValue(s.Key, out var v) != true || v != s.Value) != true
        && node.Spec?.Taints?.Any(t => t.Effect is "NoSchedule" or "NoExecute" && !Tolerates(template.Tolerations, t)) != true;

    /// <summary>Whether one of <paramref name="tolerations"/> tolerates <paramref name="taint"/> (an empty key with Exists tolerates every taint).</summary>
    public static bool Tolerates(IList<V1Toleration>? tolerations, V1Taint taint) =>
        tolerations?.Any(t =>
            (string.IsNullOrEmpty(t.Effect) || t.Effect == taint.Effect) &&
            (string.IsNullOrEmpty(t.Key) ? t.OperatorProperty == "Exists" : t.Key == taint.Key && (t.OperatorProperty == "Exists" || (t.Value ?? "") == (taint.Value ?? "")))) == true;
}

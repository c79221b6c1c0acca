using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>Taint and toleration matching as the kube-scheduler does it.</summary>
internal static class Taints
{
    public static bool Tolerates(IList<V1Toleration> tolerations, V1Taint taint)
    {
        foreach (var t in tolerations)
        {
            if (!string.IsNullOrEmpty(t.Effect) && t.Effect != taint.Effect)
            {
                continue;
            }

            if (string.IsNullOrEmpty(t.Key))
            {
                // An empty key with Exists tolerates every taint.
                if (t.OperatorProperty == "Exists")
                {
                    return true;
                }

                continue;
            }

            if (t.Key != taint.Key)
            {
                continue;
            }

            if (t.OperatorProperty == "Exists" || (t.Value ?? "") == (taint.Value ?? ""))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first taint the pod does not tolerate, or null. PreferNoSchedule counts only when <paramref name="strictPreferNoSchedule"/>.</summary>
    public static V1Taint? FirstUntolerated(IEnumerable<V1Taint> taints, IList<V1Toleration> tolerations, bool strictPreferNoSchedule)
    {
        foreach (var taint in taints)
        {
            if (taint.Effect == "PreferNoSchedule" && !strictPreferNoSchedule)
            {
                continue;
            }

            if (!Tolerates(tolerations, taint))
            {
                return taint;
            }
        }

        return null;
    }

    public static string Describe(V1Taint t) => string.IsNullOrEmpty(t.Value) ? $"{t.Key}:{t.Effect}" : $"{t.Key}={t.Value}:{t.Effect}";
}

using k8s.Models;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>What a pod asks a node for, the way the kube-scheduler computes it.</summary>
internal static class PodRequests
{
    private static readonly ResourceVector OnePod = new(0, 0, 1);

    /// <summary>
    /// max(sum of app containers and sidecars, each init container plus the sidecars started before it)
    /// + pod overhead + one pod slot. A container with limits but no requests requests its limits.
    /// </summary>
    public static ResourceVector Of(V1PodSpec? spec)
    {
        if (spec is null)
        {
            return OnePod;
        }

        var sidecars = ResourceVector.Zero;
        var initPeak = ResourceVector.Zero;
        foreach (var c in spec.InitContainers ?? [])
        {
            var r = Container(c);
            if (c.RestartPolicy == "Always")
            {
                sidecars += r;
                initPeak = ResourceVector.Max(initPeak, sidecars);
            }
            else
            {
                initPeak = ResourceVector.Max(initPeak, sidecars + r);
            }
        }

        var app = sidecars;
        foreach (var c in spec.Containers ?? [])
        {
            app += Container(c);
        }

        var total = ResourceVector.Max(app, initPeak);
        if (spec.Overhead is { Count: > 0 })
        {
            total += ResourceVector.FromQuantities(spec.Overhead);
        }

        return total + OnePod;
    }

    private static ResourceVector Container(V1Container c)
    {
        var requests = c.Resources?.Requests;
        var limits = c.Resources?.Limits;
        if (limits is null || limits.Count == 0)
        {
            return ResourceVector.FromQuantities(requests);
        }

        // The API server defaults a missing request to the limit.
        var merged = new Dictionary<string, ResourceQuantity>(limits);
        foreach (var (k, v) in requests ?? new Dictionary<string, ResourceQuantity>())
        {
            merged[k] = v;
        }

        return ResourceVector.FromQuantities(merged);
    }
}

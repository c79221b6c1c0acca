using System.Text.Json;
using k8s.Models;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Simulation;

/// <summary>
/// Builds the Node a kubelet registers for a running instance: the instance type's labels, the offering's
/// zone and capacity type, the NodeClaim's labels and taints (carried in the instance tags), the type's
/// capacity and allocatable, and a Ready condition.
/// </summary>
internal static class NodeFactory
{
    /// <summary>Tag with the NodeClaim's node labels, a JSON object (set by the NodeClaim grain at launch).</summary>
    public const string LabelsTag = "karpo.io/node-labels";

    /// <summary>Tag with the NodeClaim's taints, a JSON array of "key=value:Effect" (value may be empty).</summary>
    public const string TaintsTag = "karpo.io/node-taints";

    public const string RegisteredLabel = "karpenter.sh/registered";
    public const string InitializedLabel = "karpenter.sh/initialized";

    public static V1Node Create(string name, CloudInstance instance, InstanceType type, DateTimeOffset now)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in type.Labels)
        {
            labels[k] = v;
        }

        // The claim's labels first, then the facts of this instance: a claim cannot relabel its zone.
        foreach (var (k, v) in ClaimLabels(instance))
        {
            labels[k] = v;
        }

        labels[WellKnownLabels.InstanceType] = instance.InstanceType;
        labels[WellKnownLabels.Zone] = instance.Zone;
        labels[WellKnownLabels.Region] = instance.Region;
        labels[WellKnownLabels.CapacityType] = instance.CapacityType;
        if (!string.IsNullOrEmpty(instance.NodePool))
        {
            labels[WellKnownLabels.NodePool] = instance.NodePool;
        }

        labels[WellKnownLabels.Hostname] = name;
        labels[RegisteredLabel] = "true";
        labels[InitializedLabel] = "true";
        var taints = ClaimTaints(instance);
        var time = now.UtcDateTime;
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Uid = Ids.Uid($"node/{instance.Id}"),
                CreationTimestamp = time,
                Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["karpenter.sh/nodeclaim"] = instance.NodeClaim,
                },
            },
            Spec = new V1NodeSpec
            {
                ProviderID = instance.ProviderId,
                Taints = taints.Count > 0 ? taints : null,
            },
            Status = new V1NodeStatus
            {
                Capacity = Quantities(type.Capacity),
                Allocatable = Quantities(type.Allocatable),
                Conditions =
                [
                    new V1NodeCondition
                    {
                        Type = "Ready",
                        Status = "True",
                        Reason = "KubeletReady",
                        Message = "kubelet is posting ready status",
                        LastHeartbeatTime = time,
                        LastTransitionTime = time,
                    },
                ],
                NodeInfo = new V1NodeSystemInfo
                {
                    Architecture = labels.GetValueOrDefault(WellKnownLabels.Arch, "amd64"),
                    OperatingSystem = labels.GetValueOrDefault(WellKnownLabels.Os, "linux"),
                    KubeletVersion = "v1.33.0",
                    KubeProxyVersion = "v1.33.0",
                    ContainerRuntimeVersion = "containerd://2.0.0",
                    KernelVersion = "6.1.0",
                    OsImage = "Simulated Linux",
                    MachineID = instance.Id,
                    SystemUUID = Ids.Uid($"system/{instance.Id}"),
                    BootID = Ids.Uid($"boot/{instance.Id}"),
                },
            },
        };
    }

    /// <summary>The claim's labels from <see cref="LabelsTag"/>; a malformed tag adds none rather than failing the join.</summary>
    public static IReadOnlyDictionary<string, string> ClaimLabels(CloudInstance instance)
    {
        if (!instance.Tags.TryGetValue(LabelsTag, out var json) || string.IsNullOrWhiteSpace(json))
        {
            return new Dictionary<string, string>();
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, string>();
        }
    }

    /// <summary>The claim's taints from <see cref="TaintsTag"/> ("key=value:Effect" or "key:Effect"); malformed entries are skipped.</summary>
    public static List<V1Taint> ClaimTaints(CloudInstance instance)
    {
        var taints = new List<V1Taint>();
        if (!instance.Tags.TryGetValue(TaintsTag, out var json) || string.IsNullOrWhiteSpace(json))
        {
            return taints;
        }

        string[] entries;
        try
        {
            entries = JsonSerializer.Deserialize<string[]>(json) ?? [];
        }
        catch (JsonException)
        {
            return taints;
        }

        foreach (var entry in entries)
        {
            if (ParseTaint(entry) is { } taint)
            {
                taints.Add(taint);
            }
        }

        return taints;
    }

    public static V1Taint? ParseTaint(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // The effect follows the last ':'; keys may hold '/' but never ':', values neither.
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return null;
        }

        var effect = text[(colon + 1)..];
        if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
        {
            return null;
        }

        var keyValue = text[..colon];
        var eq = keyValue.IndexOf('=', StringComparison.Ordinal);
        var key = eq < 0 ? keyValue : keyValue[..eq];
        var value = eq < 0 ? null : keyValue[(eq + 1)..];
        return key.Length == 0 ? null : new V1Taint { Key = key, Value = string.IsNullOrEmpty(value) ? null : value, Effect = effect };
    }

    private static Dictionary<string, ResourceQuantity> Quantities(ResourceVector vector) =>
        vector.ToQuantityStrings().ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value), StringComparer.Ordinal);
}

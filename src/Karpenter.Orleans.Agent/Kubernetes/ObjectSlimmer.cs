using System.Text.Json.Nodes;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent.Kubernetes;

/// <summary>
/// Keeps of an object what the service reads, so that a 5,000-node cluster's objects stay small in the agent and
/// on the wire, and so that changes the service does not read (managedFields, a node's heartbeat, a pod's
/// conditions, resourceVersion, the status the agent itself writes on NodePools) send no delta at all.
/// Pods keep identity, labels, owners, scheduling constraints, requests and limits, host ports and phase; nodes
/// keep labels, taints, providerID, capacity and Ready; the other kinds keep metadata and spec.
/// </summary>
public static class ObjectSlimmer
{
    private const string DoNotDisrupt = "karpenter.sh/do-not-disrupt";
    private const string MirrorPod = "kubernetes.io/config.mirror";

    private static readonly string[] PodSpecFields =
    [
        "nodeName", "nodeSelector", "affinity", "tolerations", "topologySpreadConstraints", "overhead", "hostNetwork",
        "schedulerName", "priority", "priorityClassName",
    ];

    /// <summary>The slim object, or the object itself when it has no metadata (the service will say what is wrong).</summary>
    public static JsonObject Slim(ObjectKind kind, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return kind switch
        {
            ObjectKind.Pod => Pod(obj),
            ObjectKind.Node => Node(obj),
            _ => SpecOnly(obj),
        };
    }

    private static JsonObject Pod(JsonObject pod)
    {
        var slim = Head(pod, keepAnnotations: [DoNotDisrupt, MirrorPod]);
        if (pod["spec"] is JsonObject spec)
        {
            var slimSpec = Copy(spec, PodSpecFields);
            CopyContainers(spec, slimSpec, "containers");
            CopyContainers(spec, slimSpec, "initContainers");
            slim["spec"] = slimSpec;
        }

        if (pod["status"]?["phase"] is JsonValue phase)
        {
            slim["status"] = new JsonObject { ["phase"] = phase.DeepClone() };
        }

        return slim;
    }

    private static void CopyContainers(JsonObject spec, JsonObject slimSpec, string field)
    {
        if (spec[field] is not JsonArray containers)
        {
            return;
        }

        var slim = new JsonArray();
        foreach (var container in containers.OfType<JsonObject>())
        {
            var kept = Copy(container, ["name", "restartPolicy", "resources"]);
            if (container["ports"] is JsonArray ports)
            {
                // Only host ports reserve anything on the node.
                var hostPorts = new JsonArray([.. ports.OfType<JsonObject>().Where(p => p["hostPort"] is JsonValue v && v.TryGetValue<int>(out var n) && n > 0).Select(p => p.DeepClone())]);
                if (hostPorts.Count > 0)
                {
                    kept["ports"] = hostPorts;
                }
            }

            slim.Add(kept);
        }

        slimSpec[field] = slim;
    }

    private static JsonObject Node(JsonObject node)
    {
        var slim = Head(node, keepAnnotations: [DoNotDisrupt]);
        if (node["spec"] is JsonObject spec)
        {
            slim["spec"] = Copy(spec, ["providerID", "taints", "unschedulable"]);
        }

        if (node["status"] is JsonObject status)
        {
            var slimStatus = Copy(status, ["capacity", "allocatable"]);
            if (status["conditions"] is JsonArray conditions)
            {
                // The kubelet renews lastHeartbeatTime every few seconds; only a change of readiness matters.
                slimStatus["conditions"] = new JsonArray([.. conditions.OfType<JsonObject>()
                    .Where(c => (string?)c["type"] == "Ready")
                    .Select(c => (JsonNode)Copy(c, ["type", "status", "reason", "lastTransitionTime"]))]);
            }

            slim["status"] = slimStatus;
        }

        return slim;
    }

    private static JsonObject SpecOnly(JsonObject obj)
    {
        var slim = Head(obj, keepAnnotations: null);
        if (obj["spec"] is { } spec)
        {
            slim["spec"] = spec.DeepClone();
        }

        return slim;
    }

    /// <summary>apiVersion, kind and the metadata the service reads; <paramref name="keepAnnotations"/> null keeps all but kubectl's last-applied copy.</summary>
    private static JsonObject Head(JsonObject obj, string[]? keepAnnotations)
    {
        var slim = Copy(obj, ["apiVersion", "kind"]);
        if (obj["metadata"] is not JsonObject metadata)
        {
            return slim;
        }

        var meta = Copy(metadata, ["name", "namespace", "uid", "labels", "ownerReferences", "creationTimestamp", "deletionTimestamp"]);
        if (metadata["annotations"] is JsonObject annotations)
        {
            var kept = new JsonObject();
            foreach (var (key, value) in annotations)
            {
                var keep = keepAnnotations is null ? key != "kubectl.kubernetes.io/last-applied-configuration" : keepAnnotations.Contains(key);
                if (keep)
                {
                    kept[key] = value?.DeepClone();
                }
            }

            if (kept.Count > 0)
            {
                meta["annotations"] = kept;
            }
        }

        slim["metadata"] = meta;
        return slim;
    }

    private static JsonObject Copy(JsonObject source, string[] fields)
    {
        var copy = new JsonObject();
        foreach (var field in fields)
        {
            if (source[field] is { } value)
            {
                copy[field] = value.DeepClone();
            }
        }

        return copy;
    }
}

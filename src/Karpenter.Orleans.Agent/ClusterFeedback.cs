using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent.Streaming;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// Writes what the service decided where <c>kubectl</c> shows it, through the status subresource and only when it
/// changed: each NodePool's conditions (ValidationSucceeded, NodeClassReady, Ready) and <c>status.resources</c>
/// (what its NodeClaims have, as Karpenter counts it: a registered Node's capacity, else the claim's, and the
/// number of nodes); each EC2NodeClass's conditions (ValidationSucceeded with the service's reason when it refused
/// the object, Ready, and what the provider resolved: subnets, security groups, AMIs); and core/v1 Events on
/// pending pods, Nominated ("Pod should schedule on: nodeclaim/&lt;name&gt;") or FailedScheduling with the
/// service's reason, deduplicated by <see cref="KubernetesEvents"/>. An object the cluster does not have, or one
/// that is malformed, is logged and skipped; nothing but cancellation leaves the call.
/// </summary>
public sealed class ClusterFeedback(IKubernetes kubernetes, ILogger<ClusterFeedback> logger, KubernetesEvents? events = null, TimeProvider? time = null)
    : IClusterFeedback
{
    private const string NodeClassGroup = "karpenter.k8s.aws";
    private const string NodeClassPlural = "ec2nodeclasses";
    private const string NodeClassKind = "EC2NodeClass";

    private readonly KubernetesEvents _events = events ?? new KubernetesEvents(kubernetes, time);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Publishes the NodePools' status and the pending pods' Events alone.</summary>
    public Task PublishAsync(IReadOnlyList<NodePoolStatus> nodePools, IReadOnlyList<PendingPod> pending, CancellationToken cancellationToken) =>
        PublishAsync(new ClusterFeedbackInput(nodePools, pending), cancellationToken);

    /// <inheritdoc />
    public async Task PublishAsync(ClusterFeedbackInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (var pool in input.NodePools ?? [])
        {
            try
            {
                await PublishNodePoolAsync(pool, input, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "NodePool {NodePool}: status not written this time", pool?.Name);
            }
        }

        foreach (var (name, info, refused) in NodeClasses(input))
        {
            try
            {
                await PublishNodeClassAsync(name, info, refused, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "EC2NodeClass {NodeClass}: status not written this time", name);
            }
        }

        foreach (var pod in input.Pending ?? [])
        {
            try
            {
                await PublishPodAsync(pod, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "Pod {Namespace}/{Pod}: event not recorded this time", pod?.Namespace, pod?.Name);
            }
        }
    }

    private async Task PublishNodePoolAsync(NodePoolStatus pool, ClusterFeedbackInput input, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pool.Name);
        if (await GetAsync(NodeClaimObjects.Group, "nodepools", pool.Name, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            logger.LogDebug("NodePool {NodePool} is not in the cluster", pool.Name);
            return;
        }

        var previous = current["status"]?["conditions"] as JsonArray;
        var now = _time.GetUtcNow();
        var conditions = new JsonArray
        {
            Condition("ValidationSucceeded", pool.Valid, pool.Valid ? "ValidationSucceeded" : "NodePoolValidationFailed", pool.Valid ? "" : pool.Error ?? "the NodePool is not valid", previous, now),
            Condition("NodeClassReady", pool.NodeClassReady, pool.NodeClassReady ? "NodeClassReady" : "NodeClassNotReady", pool.NodeClassReady ? "" : pool.NodeClassError ?? "the node class is not ready", previous, now),
        };
        var ready = pool.Valid && pool.NodeClassReady;
        conditions.Add(Condition("Ready", ready, ready ? "Ready" : "UnhealthyDependents",
            ready ? "" : string.Join("; ", new[] { pool.Valid ? null : "ValidationSucceeded=False", pool.NodeClassReady ? null : "NodeClassReady=False" }.OfType<string>()), previous, now));
        var (resources, nodes) = Resources(pool, input);
        var status = new JsonObject { ["conditions"] = conditions, ["resources"] = resources, ["nodes"] = nodes };
        await WriteStatusAsync(NodeClaimObjects.Group, "nodepools", pool.Name, current, status, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What the NodePool's live NodeClaims have, as Karpenter's counter sums it: a claim whose Node the agent sees
    /// counts that Node's capacity (cpu, memory, pods, ...), one still launching its own capacity; plus their number.
    /// Without the service's claims, its usage figures.
    /// </summary>
    private static (JsonObject Resources, int Nodes) Resources(NodePoolStatus pool, ClusterFeedbackInput input)
    {
        var resources = new JsonObject();
        if (input.NodeClaims is null)
        {
            foreach (var (name, quantity) in pool.Usage ?? new Dictionary<string, string>())
            {
                resources[name] = quantity;
            }

            resources["nodes"] = pool.NodeClaims.ToString(CultureInfo.InvariantCulture);
            return (resources, pool.NodeClaims);
        }

        var totals = new SortedDictionary<string, decimal>(StringComparer.Ordinal) { ["cpu"] = 0m, ["memory"] = 0m };
        var count = 0;
        foreach (var claim in input.NodeClaims.Where(c => c.IsLive && c.NodePool == pool.Name))
        {
            count++;
            if (NodeCapacity(input.Mirror, claim.NodeName) is { Count: > 0 } capacity)
            {
                foreach (var (name, value) in capacity)
                {
                    totals[name] = totals.GetValueOrDefault(name) + value;
                }
            }
            else
            {
                totals["cpu"] += claim.CapacityMilliCpu / 1000m;
                totals["memory"] += claim.CapacityMemory;
            }
        }

        foreach (var (name, value) in totals)
        {
            resources[name] = Format(name, value);
        }

        resources["nodes"] = count.ToString(CultureInfo.InvariantCulture);
        return (resources, count);
    }

    /// <summary>status.capacity of the Node as the agent holds it, each quantity as a number; empty when it is not there.</summary>
    private static Dictionary<string, decimal> NodeCapacity(ClusterMirror? mirror, string? nodeName)
    {
        var capacity = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (mirror is null || nodeName is not { Length: > 0 } || mirror.Get(new ObjectKey(ObjectKind.Node, null, nodeName)) is not { } json
            || JsonNode.Parse(json)?["status"]?["capacity"] is not JsonObject held)
        {
            return capacity;
        }

        foreach (var (name, quantity) in held)
        {
            if (quantity is JsonValue value && value.TryGetValue<string>(out var text))
            {
                try
                {
                    capacity[name] = new ResourceQuantity(text).ToDecimal();
                }
                catch (FormatException)
                {
                    // A quantity the agent cannot read is left out rather than failing the NodePool's status.
                }
            }
        }

        return capacity;
    }

    /// <summary>CPU in cores or millicores, byte sizes in Mi or Ki when whole, counts as plain numbers.</summary>
    private static string Format(string name, decimal value)
    {
        if (name == "cpu")
        {
            var milli = decimal.Round(value * 1000m);
            return milli % 1000m == 0 ? (milli / 1000m).ToString("0", CultureInfo.InvariantCulture) : milli.ToString("0", CultureInfo.InvariantCulture) + "m";
        }

        if (name is "memory" or "ephemeral-storage" || name.StartsWith("hugepages-", StringComparison.Ordinal))
        {
            var bytes = decimal.Round(value);
            return bytes % 1048576m == 0 && bytes != 0 ? (bytes / 1048576m).ToString("0", CultureInfo.InvariantCulture) + "Mi"
                : bytes % 1024m == 0 && bytes != 0 ? (bytes / 1024m).ToString("0", CultureInfo.InvariantCulture) + "Ki"
                : bytes.ToString("0", CultureInfo.InvariantCulture);
        }

        return value.ToString("0.###", CultureInfo.InvariantCulture);
    }

    /// <summary>The EC2NodeClasses the agent sees that the service has said something about: accepted (with what its provider resolved) or refused.</summary>
    private static List<(string Name, NodeClassInfo? Info, string? Refused)> NodeClasses(ClusterFeedbackInput input)
    {
        var list = new List<(string, NodeClassInfo?, string?)>();
        if (input.Mirror is null)
        {
            return list;
        }

        var accepted = (input.NodeClasses ?? []).Where(n => n.Kind == NodeClassKind).ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var key in input.Mirror.Keys(ObjectKind.NodeClass).OrderBy(k => k.Name, StringComparer.Ordinal))
        {
            var refused = input.Refused?.Get(key);
            accepted.TryGetValue(key.Name, out var info);
            if (refused is not null || info is not null)
            {
                list.Add((key.Name, info, refused));
            }
        }

        return list;
    }

    private async Task PublishNodeClassAsync(string name, NodeClassInfo? info, string? refused, CancellationToken cancellationToken)
    {
        if (await GetAsync(NodeClassGroup, NodeClassPlural, name, cancellationToken).ConfigureAwait(false) is not { } current)
        {
            return;
        }

        var previous = current["status"]?["conditions"] as JsonArray;
        var now = _time.GetUtcNow();
        var status = info?.Status is JsonObject resolved ? (JsonObject)resolved.DeepClone() : new JsonObject();
        var provided = status["conditions"] as JsonArray ?? [];
        status.Remove("conditions");
        foreach (var empty in status.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            status.Remove(empty);
        }

        var conditions = new JsonArray();
        foreach (var condition in provided.OfType<JsonObject>().Where(c => Text(c["type"]) is { Length: > 0 } type && type != "Ready"))
        {
            conditions.Add(Condition(Text(condition["type"])!, Text(condition["status"]) ?? "Unknown", Text(condition["reason"]) ?? "", Text(condition["message"]) ?? "", previous, now));
        }

        conditions.Add(refused is null
            ? Condition("ValidationSucceeded", "True", "ValidationSucceeded", "", previous, now)
            : Condition("ValidationSucceeded", "False", "ValidationFailed", refused, previous, now));
        var providerReady = provided.OfType<JsonObject>().FirstOrDefault(c => Text(c["type"]) == "Ready");
        conditions.Add(info switch
        {
            // Refused and never accepted: nothing launches with it.
            null => Condition("Ready", "False", "ValidationFailed", refused ?? "", previous, now),
            { Ready: true } => Condition("Ready", "True", "Ready", "", previous, now),
            { Ready: false } => Condition("Ready", "False", Text(providerReady?["reason"]) is { Length: > 0 } reason ? reason : "NotReady", Text(providerReady?["message"]) ?? "", previous, now),
            { StatusError: { Length: > 0 } error } => Condition("Ready", "Unknown", "ResolutionFailed", error, previous, now),
            // The provider resolves no node classes (the simulated cloud): accepted is all there is to be.
            _ => Condition("Ready", "True", "Ready", "", previous, now),
        });
        status["conditions"] = conditions;
        await WriteStatusAsync(NodeClassGroup, NodeClassPlural, name, current, status, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The object, or null when the cluster does not have it.</summary>
    private async Task<JsonObject?> GetAsync(string group, string plural, string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = (JsonElement)await kubernetes.CustomObjects.GetClusterCustomObjectAsync(group, NodeClaimObjects.Version, plural, name, cancellationToken).ConfigureAwait(false);
            return JsonNode.Parse(response.GetRawText()) as JsonObject;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Merge-patches the status subresource to <paramref name="status"/> (fields it no longer has removed), unless it is that already.</summary>
    private async Task WriteStatusAsync(string group, string plural, string name, JsonObject current, JsonObject status, CancellationToken cancellationToken)
    {
        if (current["status"] is JsonObject existing && JsonNode.DeepEquals(existing, status))
        {
            return;
        }

        var patch = (JsonObject)status.DeepClone();
        foreach (var gone in (current["status"] as JsonObject ?? []).Select(p => p.Key).Where(k => !status.ContainsKey(k)).ToList())
        {
            patch[gone] = null;
        }

        await kubernetes.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch(new JsonObject { ["status"] = patch }.ToJsonString(), V1Patch.PatchType.MergePatch),
            group, NodeClaimObjects.Version, plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishPodAsync(PendingPod pending, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pending.Name);
        var ns = string.IsNullOrEmpty(pending.Namespace) ? "default" : pending.Namespace;
        V1Pod pod;
        try
        {
            pod = await kubernetes.CoreV1.ReadNamespacedPodAsync(pending.Name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return;
        }

        var reference = KubernetesEvents.Reference("v1", "Pod", pod.Metadata);
        if (pending.NodeClaim is { Length: > 0 } claim)
        {
            await _events.RecordAsync(reference, "Normal", "Nominated", $"Pod should schedule on: nodeclaim/{claim}", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _events.RecordAsync(reference, "Warning", "FailedScheduling", $"Failed to schedule pod, {pending.Reason}", cancellationToken).ConfigureAwait(false);
        }
    }

    private static JsonObject Condition(string type, bool ok, string reason, string message, JsonArray? previous, DateTimeOffset now) =>
        Condition(type, ok ? "True" : "False", reason, message, previous, now);

    private static JsonObject Condition(string type, string status, string reason, string message, JsonArray? previous, DateTimeOffset now)
    {
        var before = previous?.OfType<JsonObject>().FirstOrDefault(c => Text(c["type"]) == type);
        var since = before is not null && Text(before["status"]) == status && Text(before["lastTransitionTime"]) is { } kept
            ? kept
            : NodeClaimObjects.Timestamp(now);
        return new JsonObject { ["type"] = type, ["status"] = status, ["reason"] = reason, ["message"] = message, ["lastTransitionTime"] = since };
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

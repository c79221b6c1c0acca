using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// Mirrors the service's NodeClaims as <c>karpenter.sh/v1</c> NodeClaim objects: creates the missing ones (spec
/// from the claim and its NodePool's nodeClassRef), writes their status through the status subresource when it
/// changed, records an Event per condition transition, registers each claim's Node once (its labels and taints,
/// the <c>karpenter.sh/unregistered</c> taint removed, <c>karpenter.sh/registered=true</c> set) and deletes the
/// objects of claims the service no longer lists or has terminated (a claim whose launch failed stays, Launched=False saying
/// why, while the service lists it). One claim's failure is logged and the rest go on.
/// </summary>
public sealed class NodeClaimReconciler(IKubernetes kubernetes, ILogger<NodeClaimReconciler> logger, KubernetesEvents? events = null, TimeProvider? time = null)
    : INodeClaimReconciler
{
    private const int ConflictRetries = 8;
    private readonly KubernetesEvents _events = events ?? new KubernetesEvents(kubernetes, time);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public async Task ReconcileAsync(IReadOnlyList<NodeClaimInfo> claims, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var existing = await ListAsync(cancellationToken).ConfigureAwait(false);
        var live = claims.Where(c => c.IsLive || NodeClaimObjects.IsFailedLaunch(c)).GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var nodePools = new Dictionary<string, (JsonNode? NodeClassRef, string? Uid)>(StringComparer.Ordinal);
        foreach (var claim in live.Values)
        {
            try
            {
                existing.TryGetValue(claim.Name, out var current);
                await ReconcileOneAsync(claim, current, nodePools, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpOperationException or ArgumentException or JsonException or InvalidOperationException)
            {
                logger.LogWarning(e, "NodeClaim {NodeClaim} not reconciled this time", claim.Name);
            }
        }

        foreach (var (name, obj) in existing)
        {
            if (live.ContainsKey(name) || obj["metadata"]?["labels"]?[NodeClaimObjects.ManagedByLabel]?.GetValue<string>() != NodeClaimObjects.ManagedBy)
            {
                continue;
            }

            try
            {
                await kubernetes.CustomObjects.DeleteClusterCustomObjectAsync(NodeClaimObjects.Group, NodeClaimObjects.Version, NodeClaimObjects.Plural, name,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Deleted NodeClaim {NodeClaim}: the service no longer has it", name);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
            catch (HttpOperationException e)
            {
                logger.LogWarning(e, "NodeClaim {NodeClaim} not deleted this time", name);
            }
        }
    }

    private async Task ReconcileOneAsync(NodeClaimInfo claim, JsonObject? current, Dictionary<string, (JsonNode? NodeClassRef, string? Uid)> nodePools,
        CancellationToken cancellationToken)
    {
        if (current is null)
        {
            if (!nodePools.TryGetValue(claim.NodePool, out var pool))
            {
                pool = nodePools[claim.NodePool] = await NodePoolAsync(claim.NodePool, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                current = Parse(await kubernetes.CustomObjects.CreateClusterCustomObjectAsync(NodeClaimObjects.Create(claim, pool.NodeClassRef, pool.Uid),
                    NodeClaimObjects.Group, NodeClaimObjects.Version, NodeClaimObjects.Plural, cancellationToken: cancellationToken).ConfigureAwait(false));
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                current = Parse(await kubernetes.CustomObjects.GetClusterCustomObjectAsync(NodeClaimObjects.Group, NodeClaimObjects.Version,
                    NodeClaimObjects.Plural, claim.Name, cancellationToken).ConfigureAwait(false));
            }
        }

        V1Node? node = null;
        if (claim.NodeName is { Length: > 0 } nodeName)
        {
            node = await RegisterNodeAsync(claim, current["metadata"]?["uid"]?.GetValue<string>(), nodeName, cancellationToken).ConfigureAwait(false);
        }

        var previous = current["status"]?["conditions"] as JsonArray;
        var providerId = node?.Spec?.ProviderID is { Length: > 0 } fromNode ? fromNode : claim.InstanceId;
        var status = NodeClaimObjects.Status(claim, providerId, previous, _time.GetUtcNow());
        if (JsonNode.DeepEquals(status, current["status"]))
        {
            return;
        }

        await kubernetes.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch(new JsonObject { ["status"] = status }.ToJsonString(), V1Patch.PatchType.MergePatch),
            NodeClaimObjects.Group, NodeClaimObjects.Version, NodeClaimObjects.Plural, claim.Name, cancellationToken: cancellationToken).ConfigureAwait(false);

        var metadata = KubernetesJson.Deserialize<V1ObjectMeta>(current["metadata"]!.ToJsonString());
        var reference = KubernetesEvents.Reference($"{NodeClaimObjects.Group}/{NodeClaimObjects.Version}", "NodeClaim", metadata);
        foreach (var condition in status["conditions"]!.AsArray().OfType<JsonObject>())
        {
            var type = condition["type"]!.GetValue<string>();
            var now = condition["status"]!.GetValue<string>();
            var before = NodeClaimObjects.ConditionStatus(previous, type) ?? "Unknown";
            if (now != before && now != "Unknown")
            {
                // Recorded when the status write says it changed, so once per transition however often the service is polled.
                var message = now == "False" && condition["message"]?.GetValue<string>() is { Length: > 0 } why ? ", Message: " + why : "";
                await RecordAsync(reference, now == "False" ? "Warning" : "Normal", type,
                    $"Status condition transitioned, Type: {type}, Status: {before} -> {now}, Reason: {condition["reason"]}{message}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Gives the claim's Node its labels and taints and drops the unregistered taint, once: the
    /// <c>karpenter.sh/registered</c> label marks it done, so a taint a user removes later stays removed. The Node
    /// becomes owned by its NodeClaim object, as Karpenter's are.
    /// </summary>
    private async Task<V1Node?> RegisterNodeAsync(NodeClaimInfo claim, string? claimUid, string nodeName, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            V1Node node;
            try
            {
                node = await kubernetes.CoreV1.ReadNodeAsync(nodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (node.Metadata.Labels?.TryGetValue(NodeClaimObjects.RegisteredLabel, out var done) == true && done == "true")
            {
                return node;
            }

            var labels = new Dictionary<string, string>(node.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var (key, value) in NodeClaimObjects.Labels(claim))
            {
                labels[key] = value;
            }

            labels[NodeClaimObjects.RegisteredLabel] = "true";
            var taints = (node.Spec?.Taints ?? []).Where(t => t.Key != NodeClaimObjects.UnregisteredTaintKey).ToList();
            foreach (var taint in claim.Taints.Select(CommandHandler.ParseTaint))
            {
                if (!taints.Any(t => CommandHandler.Same(t, taint)))
                {
                    taints.Add(taint);
                }
            }

            var operations = new JsonArray
            {
                new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = node.Metadata.ResourceVersion },
                new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels", ["value"] = JsonSerializer.SerializeToNode(labels) },
            };
            if (claimUid is { Length: > 0 } && node.Metadata.OwnerReferences?.Any(o => o.Uid == claimUid) != true)
            {
                var owners = new JsonArray([.. (node.Metadata.OwnerReferences ?? []).Select(o => JsonNode.Parse(KubernetesJson.Serialize(o)))]);
                owners.Add(NodeClaimObjects.OwnerReference("NodeClaim", claim.Name, claimUid));
                operations.Add(new JsonObject { ["op"] = "add", ["path"] = "/metadata/ownerReferences", ["value"] = owners });
            }

            if (node.Spec is null)
            {
                operations.Add(new JsonObject { ["op"] = "add", ["path"] = "/spec", ["value"] = new JsonObject() });
            }

            operations.Add(new JsonObject
            {
                ["op"] = "add",
                ["path"] = "/spec/taints",
                ["value"] = new JsonArray([.. taints.Select(t => (JsonNode)Taint(t))]),
            });
            try
            {
                var patched = await kubernetes.CoreV1.PatchNodeAsync(new V1Patch(operations.ToJsonString(), V1Patch.PatchType.JsonPatch), nodeName,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Registered node {Node} for NodeClaim {NodeClaim}", nodeName, claim.Name);
                return patched;
            }
            catch (HttpOperationException e) when (CommandHandler.IsConflict(e) && attempt < ConflictRetries)
            {
                // The Node changed under us (kubelet updates it often): read it again.
            }
        }
    }

    private static JsonObject Taint(V1Taint taint)
    {
        var item = new JsonObject { ["key"] = taint.Key, ["effect"] = taint.Effect };
        if (taint.Value is not null)
        {
            item["value"] = taint.Value;
        }

        if (taint.TimeAdded is { } added)
        {
            item["timeAdded"] = NodeClaimObjects.Timestamp(added);
        }

        return item;
    }

    /// <summary>The NodePool's nodeClassRef and uid (for the new NodeClaim's spec and owner reference); nulls when the pool is gone.</summary>
    private async Task<(JsonNode? NodeClassRef, string? Uid)> NodePoolAsync(string nodePool, CancellationToken cancellationToken)
    {
        try
        {
            var pool = Parse(await kubernetes.CustomObjects.GetClusterCustomObjectAsync(NodeClaimObjects.Group, NodeClaimObjects.Version, "nodepools", nodePool,
                cancellationToken).ConfigureAwait(false));
            return (pool["spec"]?["template"]?["spec"]?["nodeClassRef"], pool["metadata"]?["uid"]?.GetValue<string>());
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, null);
        }
    }

    private async Task<Dictionary<string, JsonObject>> ListAsync(CancellationToken cancellationToken)
    {
        var list = Parse(await kubernetes.CustomObjects.ListClusterCustomObjectAsync(NodeClaimObjects.Group, NodeClaimObjects.Version, NodeClaimObjects.Plural,
            cancellationToken: cancellationToken).ConfigureAwait(false));
        var objects = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var item in list["items"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            if (item["metadata"]?["name"]?.GetValue<string>() is { } name)
            {
                objects[name] = item;
            }
        }

        return objects;
    }

    private static JsonObject Parse(object response) => response switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText())?.AsObject() ?? throw new JsonException("the API server answered null"),
        JsonObject obj => obj,
        _ => JsonNode.Parse(KubernetesJson.Serialize(response))?.AsObject() ?? throw new JsonException("the API server answered null"),
    };

    private async Task RecordAsync(V1ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken)
    {
        try
        {
            await _events.RecordAsync(involved, type, reason, message, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            logger.LogWarning("Could not record the {Reason} event on NodeClaim {Name}: {Status}", reason, involved.Name, e.Response.StatusCode);
        }
    }
}

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
/// Writes what the service decided where <c>kubectl</c> shows it: each NodePool's status conditions
/// (ValidationSucceeded, NodeClassReady, Ready) and usage through the status subresource, written only when they
/// changed; and core/v1 Events on pending pods, Nominated ("Pod should schedule on: nodeclaim/&lt;name&gt;") or
/// FailedScheduling with the service's reason, deduplicated by <see cref="KubernetesEvents"/>. A NodePool or pod the
/// cluster does not have, or one that is malformed, is logged and skipped; nothing but cancellation leaves the call.
/// </summary>
public sealed class ClusterFeedback(IKubernetes kubernetes, ILogger<ClusterFeedback> logger, KubernetesEvents? events = null, TimeProvider? time = null)
    : IClusterFeedback
{
    private readonly KubernetesEvents _events = events ?? new KubernetesEvents(kubernetes, time);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public async Task PublishAsync(IReadOnlyList<NodePoolStatus> nodePools, IReadOnlyList<PendingPod> pending, CancellationToken cancellationToken)
    {
        foreach (var pool in nodePools ?? [])
        {
            try
            {
                await PublishNodePoolAsync(pool, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "NodePool {NodePool}: status not written this time", pool?.Name);
            }
        }

        foreach (var pod in pending ?? [])
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

    private async Task PublishNodePoolAsync(NodePoolStatus pool, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(pool.Name);
        JsonObject current;
        try
        {
            var response = (JsonElement)await kubernetes.CustomObjects.GetClusterCustomObjectAsync(NodeClaimObjects.Group, NodeClaimObjects.Version, "nodepools",
                pool.Name, cancellationToken).ConfigureAwait(false);
            current = JsonNode.Parse(response.GetRawText())!.AsObject();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
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
        var resources = new JsonObject();
        foreach (var (name, quantity) in pool.Usage ?? new Dictionary<string, string>())
        {
            resources[name] = quantity;
        }

        var status = new JsonObject { ["conditions"] = conditions, ["resources"] = resources };
        if (current["status"] is JsonObject existing && JsonNode.DeepEquals(existing["conditions"], status["conditions"]) && JsonNode.DeepEquals(existing["resources"], resources))
        {
            return;
        }

        await kubernetes.CustomObjects.PatchClusterCustomObjectStatusAsync(
            new V1Patch(new JsonObject { ["status"] = status }.ToJsonString(), V1Patch.PatchType.MergePatch),
            NodeClaimObjects.Group, NodeClaimObjects.Version, "nodepools", pool.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
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

    private static JsonObject Condition(string type, bool ok, string reason, string message, JsonArray? previous, DateTimeOffset now)
    {
        var status = ok ? "True" : "False";
        var before = previous?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
        var since = before is not null && before["status"]?.GetValue<string>() == status && before["lastTransitionTime"] is { } kept
            ? kept.GetValue<string>()
            : NodeClaimObjects.Timestamp(now);
        return new JsonObject { ["type"] = type, ["status"] = status, ["reason"] = reason, ["message"] = message, ["lastTransitionTime"] = since };
    }
}

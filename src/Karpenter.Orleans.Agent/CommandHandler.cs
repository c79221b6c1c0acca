using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// Carries out the service's commands against the cluster's API server: taints through a JSON patch guarded by
/// the Node's resourceVersion (a concurrent change to other taints is kept: the patch is rebuilt and retried),
/// evictions through the policy/v1 Eviction subresource (a PodDisruptionBudget's 429 is <see cref="CommandOutcome.Refused"/>,
/// never a forced delete), pod and Node deletions. Each command checks first whether its work is already done,
/// so a command delivered again after a restart or a change of leader answers Done without acting twice.
/// </summary>
public sealed class CommandHandler(IKubernetes kubernetes, ILogger<CommandHandler> logger, KubernetesEvents? events = null) : IClusterCommandHandler
{
    private const int ConflictRetries = 8;
    private const int RememberedCommands = 10_000;

    private readonly KubernetesEvents _events = events ?? new KubernetesEvents(kubernetes);
    private readonly ConcurrentDictionary<string, CommandAck> _done = new(StringComparer.Ordinal);

    /// <summary>The longest grace period a DeletePod gives (the service sends it once the NodePool's terminationGracePeriod is past); a pod asking for less gets its own.</summary>
    public TimeSpan MaxDeleteGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public async Task<CommandAck> HandleAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_done.TryGetValue(command.Id, out var earlier))
        {
            return earlier;
        }

        CommandAck ack;
        try
        {
            ack = command.Kind switch
            {
                ClusterCommandKind.TaintNode => await TaintAsync(command, add: true, cancellationToken).ConfigureAwait(false),
                ClusterCommandKind.UntaintNode => await TaintAsync(command, add: false, cancellationToken).ConfigureAwait(false),
                ClusterCommandKind.EvictPod => await EvictAsync(command, cancellationToken).ConfigureAwait(false),
                ClusterCommandKind.DeletePod => await DeletePodAsync(command, cancellationToken).ConfigureAwait(false),
                ClusterCommandKind.DeleteNode => await DeleteNodeAsync(command, cancellationToken).ConfigureAwait(false),
                _ => new CommandAck(command.Id, CommandOutcome.Failed, $"command {command.Id}: unknown kind {command.Kind}"),
            };
        }
        catch (HttpOperationException e)
        {
            ack = new CommandAck(command.Id, CommandOutcome.Failed, $"{command.Kind} {Target(command)}: {(int)e.Response.StatusCode} {StatusMessage(e)}");
        }
        catch (ArgumentException e)
        {
            ack = new CommandAck(command.Id, CommandOutcome.Failed, $"{command.Kind} {Target(command)}: {e.Message}");
        }

        if (ack.Outcome == CommandOutcome.Failed)
        {
            logger.LogWarning("Command {Id} failed: {Message}", command.Id, ack.Message);
        }
        else if (ack.Outcome == CommandOutcome.Done)
        {
            Remember(ack);
        }

        return ack;
    }

    private async Task<CommandAck> TaintAsync(ClusterCommand command, bool add, CancellationToken cancellationToken)
    {
        var taint = ParseTaint(command.Taint ?? throw new ArgumentException("a taint command needs its taint ('key=value:Effect' or 'key:Effect')"));
        for (var attempt = 0; ; attempt++)
        {
            V1Node node;
            try
            {
                node = await kubernetes.CoreV1.ReadNodeAsync(command.Node, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return new CommandAck(command.Id, CommandOutcome.Done, $"node {command.Node} is gone");
            }

            var taints = node.Spec?.Taints?.ToList() ?? [];
            var present = taints.Any(t => Same(t, taint));
            if (present == add)
            {
                return new CommandAck(command.Id, CommandOutcome.Done, $"node {command.Node} already {(add ? "has" : "lacks")} {command.Taint}");
            }

            if (add)
            {
                taints.Add(taint);
            }
            else
            {
                taints.RemoveAll(t => Same(t, taint));
            }

            try
            {
                await PatchTaintsAsync(kubernetes, node, taints, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (IsConflict(e) && attempt < ConflictRetries)
            {
                // Someone else changed the Node between our read and our patch: read it again, keep their change.
                continue;
            }

            if (add)
            {
                await RecordAsync(NodeRef(node), "Normal", "Disrupting", $"Disrupting Node: tainted {command.Taint}", cancellationToken).ConfigureAwait(false);
                if (ClaimRef(node) is { } claim)
                {
                    await RecordAsync(claim, "Normal", "Disrupting", $"Disrupting NodeClaim: its node {node.Metadata.Name} is tainted {command.Taint}", cancellationToken).ConfigureAwait(false);
                }
            }

            return new CommandAck(command.Id, CommandOutcome.Done);
        }
    }

    private async Task<CommandAck> EvictAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        var (ns, name) = PodOf(command);
        if (await CurrentPodAsync(command, ns, name, cancellationToken).ConfigureAwait(false) is not { } pod)
        {
            return new CommandAck(command.Id, CommandOutcome.Done, $"pod {ns}/{name} is already gone from node {command.Node}");
        }

        try
        {
            await kubernetes.CoreV1.CreateNamespacedPodEvictionAsync(
                new V1Eviction { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } }, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return new CommandAck(command.Id, CommandOutcome.Done, $"pod {ns}/{name} is already gone");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var message = StatusMessage(e);
            await RecordNodeAsync(command.Node, "Normal", "DisruptionBlocked", $"eviction of pod {ns}/{name} refused: {message}", cancellationToken).ConfigureAwait(false);
            return new CommandAck(command.Id, CommandOutcome.Refused, message);
        }

        await RecordAsync(KubernetesEvents.Reference("v1", "Pod", pod.Metadata), "Normal", "Evicted", $"Evicted pod: draining node {command.Node}", cancellationToken).ConfigureAwait(false);
        return new CommandAck(command.Id, CommandOutcome.Done);
    }

    private async Task<CommandAck> DeletePodAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        var (ns, name) = PodOf(command);
        if (await CurrentPodAsync(command, ns, name, cancellationToken).ConfigureAwait(false) is not { } pod)
        {
            return new CommandAck(command.Id, CommandOutcome.Done, $"pod {ns}/{name} is already gone from node {command.Node}");
        }

        var grace = Math.Min(pod.Spec?.TerminationGracePeriodSeconds ?? 30, (long)MaxDeleteGracePeriod.TotalSeconds);
        await RecordAsync(KubernetesEvents.Reference("v1", "Pod", pod.Metadata), "Warning", "Disrupted",
            $"Deleting the pod past its NodePool's terminationGracePeriod (grace period {grace}s)", cancellationToken).ConfigureAwait(false);
        try
        {
            // Guarded by the uid: a pod of the same name created meanwhile is not ours to delete.
            await kubernetes.CoreV1.DeleteNamespacedPodAsync(name, ns, new V1DeleteOptions
            {
                GracePeriodSeconds = grace,
                Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid },
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            return new CommandAck(command.Id, CommandOutcome.Done, $"pod {ns}/{name} is already gone");
        }

        return new CommandAck(command.Id, CommandOutcome.Done);
    }

    private async Task<CommandAck> DeleteNodeAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        try
        {
            var node = await kubernetes.CoreV1.ReadNodeAsync(command.Node, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (node.Metadata.DeletionTimestamp is not null)
            {
                return new CommandAck(command.Id, CommandOutcome.Done, $"node {command.Node} is already being deleted");
            }

            await kubernetes.CoreV1.DeleteNodeAsync(command.Node, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new CommandAck(command.Id, CommandOutcome.Done);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return new CommandAck(command.Id, CommandOutcome.Done, $"node {command.Node} is already gone");
        }
    }

    /// <summary>The pod the command means, or null when it is gone, terminating, or a pod of that name now runs on another node (the one meant was evicted already).</summary>
    private async Task<V1Pod?> CurrentPodAsync(ClusterCommand command, string ns, string name, CancellationToken cancellationToken)
    {
        V1Pod pod;
        try
        {
            pod = await kubernetes.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (pod.Metadata.DeletionTimestamp is not null)
        {
            return null;
        }

        return string.IsNullOrEmpty(command.Node) || pod.Spec?.NodeName is null || pod.Spec.NodeName == command.Node ? pod : null;
    }

    /// <summary>Replaces the Node's taints, failing (409/422) when the Node changed since it was read.</summary>
    internal static Task PatchTaintsAsync(IKubernetes kubernetes, V1Node node, IReadOnlyList<V1Taint> taints, CancellationToken cancellationToken)
    {
        var operations = new List<object>
        {
            new Dictionary<string, object?> { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = node.Metadata.ResourceVersion },
        };
        if (node.Spec is null)
        {
            operations.Add(new Dictionary<string, object?> { ["op"] = "add", ["path"] = "/spec", ["value"] = new Dictionary<string, object>() });
        }

        operations.Add(new Dictionary<string, object?>
        {
            ["op"] = "add",
            ["path"] = "/spec/taints",
            ["value"] = taints.Select(t => t.TimeAdded is null
                ? new Dictionary<string, string?> { ["key"] = t.Key, ["value"] = t.Value, ["effect"] = t.Effect }
                : new Dictionary<string, string?> { ["key"] = t.Key, ["value"] = t.Value, ["effect"] = t.Effect, ["timeAdded"] = t.TimeAdded.Value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) }).ToList(),
        });
        return kubernetes.CoreV1.PatchNodeAsync(new V1Patch(JsonSerializer.Serialize(operations), V1Patch.PatchType.JsonPatch), node.Metadata.Name, cancellationToken: cancellationToken);
    }

    /// <summary>A failed resourceVersion test (the real server answers 422 or 409, depending on how the patch failed).</summary>
    internal static bool IsConflict(HttpOperationException e) =>
        e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity;

    /// <summary>Parses "key=value:Effect" or "key:Effect".</summary>
    public static V1Taint ParseTaint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new ArgumentException($"taint '{text}' is not 'key=value:Effect' or 'key:Effect'", nameof(text));
        }

        var effect = text[(colon + 1)..];
        if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
        {
            throw new ArgumentException($"taint '{text}': effect '{effect}' is not NoSchedule, PreferNoSchedule or NoExecute", nameof(text));
        }

        var keyValue = text[..colon];
        var equals = keyValue.IndexOf('=', StringComparison.Ordinal);
        return equals < 0
            ? new V1Taint { Key = keyValue, Effect = effect }
            : new V1Taint { Key = keyValue[..equals], Value = keyValue[(equals + 1)..], Effect = effect };
    }

    /// <summary>Kubernetes identifies a taint by key and effect.</summary>
    internal static bool Same(V1Taint a, V1Taint b) => a.Key == b.Key && a.Effect == b.Effect;

    internal static string StatusMessage(HttpOperationException e)
    {
        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
            var causes = status.Details?.Causes?.Select(c => c.Message).Where(m => !string.IsNullOrEmpty(m)).ToList() ?? [];
            return causes.Count == 0 ? status.Message ?? e.Message : $"{status.Message} {string.Join("; ", causes)}";
        }
        catch (JsonException)
        {
            return e.Response.Content is { Length: > 0 } content ? content : e.Message;
        }
    }

    private static (string Namespace, string Name) PodOf(ClusterCommand command) =>
        (string.IsNullOrEmpty(command.Namespace) ? "default" : command.Namespace,
         command.Pod is { Length: > 0 } pod ? pod : throw new ArgumentException("a pod command needs its pod"));

    private static string Target(ClusterCommand command) =>
        command.Pod is { Length: > 0 } ? $"pod {command.Namespace}/{command.Pod} on node {command.Node}" : $"node {command.Node}";

    private static V1ObjectReference NodeRef(V1Node node) => KubernetesEvents.Reference("v1", "Node", node.Metadata);

    /// <summary>
    /// The NodeClaim that owns <paramref name="node"/> (the agent sets the owner reference when the Node registers),
    /// for the disruption Events Karpenter records on the claim as well as on the Node; null for a Node no claim owns.
    /// </summary>
    private static V1ObjectReference? ClaimRef(V1Node node) =>
        node.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == "NodeClaim" && o.ApiVersion == $"{NodeClaimObjects.Group}/{NodeClaimObjects.Version}") is { } owner
            ? new V1ObjectReference { ApiVersion = owner.ApiVersion, Kind = owner.Kind, Name = owner.Name, Uid = owner.Uid }
            : null;

    /// <summary>Records "Cannot disrupt Node: ..." on the Node and "Cannot disrupt NodeClaim: ..." on its claim.</summary>
    private async Task RecordNodeAsync(string nodeName, string type, string reason, string why, CancellationToken cancellationToken)
    {
        try
        {
            var node = await kubernetes.CoreV1.ReadNodeAsync(nodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
            await RecordAsync(NodeRef(node), type, reason, $"Cannot disrupt Node: {why}", cancellationToken).ConfigureAwait(false);
            if (ClaimRef(node) is { } claim)
            {
                await RecordAsync(claim, type, reason, $"Cannot disrupt NodeClaim: {why}", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HttpOperationException e)
        {
            logger.LogDebug("No {Reason} event for node {Node}: {Status}", reason, nodeName, e.Response.StatusCode);
        }
    }

    // An event is what the user reads about the work, not the work: failing to record one never fails the command.
    private async Task RecordAsync(V1ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken)
    {
        try
        {
            await _events.RecordAsync(involved, type, reason, message, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            logger.LogWarning("Could not record the {Reason} event on {Kind} {Name}: {Status}", reason, involved.Kind, involved.Name, e.Response.StatusCode);
        }
    }

    private void Remember(CommandAck ack)
    {
        if (_done.Count >= RememberedCommands)
        {
            _done.Clear();
        }

        _done[ack.Id] = ack;
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// Records core/v1 Events (the ones <c>kubectl describe</c> lists) as Karpenter's controller does, with
/// source component <c>karpenter</c>. The same event (object, reason, message) is one Event object whose
/// count and lastTimestamp grow, and within <see cref="DedupeWindow"/> it is not written again at all, so a
/// state published on every poll does not flood the API server.
/// </summary>
public sealed class KubernetesEvents(IKubernetes kubernetes, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _recent = new(StringComparer.Ordinal);

    /// <summary>The component the Events name as their source.</summary>
    public const string Component = "karpenter";

    /// <summary>How long a recorded event is not written again (Karpenter's recorder dedupes for minutes, too).</summary>
    public TimeSpan DedupeWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Records a Normal or Warning event about <paramref name="involved"/>; the object needs its kind, name and uid (kubectl matches on the uid).</summary>
    public async Task RecordAsync(V1ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(involved);
        var ns = string.IsNullOrEmpty(involved.NamespaceProperty) ? "default" : involved.NamespaceProperty;
        var key = $"{involved.Kind}/{ns}/{involved.Name}/{involved.Uid}/{type}/{reason}/{message}";
        var now = _time.GetUtcNow();
        if (_recent.TryGetValue(key, out var last) && now - last < DedupeWindow)
        {
            return;
        }

        // A name derived from what the event says finds the earlier copy after a restart, too.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
        var name = $"{Truncate(involved.Name, 200)}.{hash}";
        var stamp = now.UtcDateTime;
        try
        {
            await kubernetes.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                InvolvedObject = involved,
                Type = type,
                Reason = reason,
                Message = message,
                Count = 1,
                FirstTimestamp = stamp,
                LastTimestamp = stamp,
                Source = new V1EventSource { Component = Component },
                ReportingComponent = Component,
                ReportingInstance = Environment.MachineName,
            }, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            var existing = await kubernetes.CoreV1.ReadNamespacedEventAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            var patch = new V1Patch(
                $$"""{"count":{{(existing.Count ?? 1) + 1}},"lastTimestamp":"{{stamp:yyyy-MM-ddTHH:mm:ssZ}}"}""",
                V1Patch.PatchType.MergePatch);
            await kubernetes.CoreV1.PatchNamespacedEventAsync(patch, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        _recent[key] = now;
    }

    /// <summary>A reference to a cluster-scoped or namespaced object for an event.</summary>
    public static V1ObjectReference Reference(string apiVersion, string kind, V1ObjectMeta metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new V1ObjectReference
        {
            ApiVersion = apiVersion,
            Kind = kind,
            Name = metadata.Name,
            NamespaceProperty = metadata.NamespaceProperty,
            Uid = metadata.Uid,
        };
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

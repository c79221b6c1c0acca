using System.Globalization;
using System.Text.RegularExpressions;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent.Streaming;

/// <summary>
/// The objects the service refused, each with the service's reason, so the agent can say so in the object's own
/// status (an EC2NodeClass the service skipped shows why). The service names a refused object by its place in
/// what was sent (<c>objects[i]</c> of a snapshot, <c>sequence n</c> of a delta), so no name is parsed out of a
/// message. A snapshot's answer replaces everything; a batch's answer settles the objects it carried.
/// </summary>
public sealed partial class RefusedObjects
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectKey, string> _refused = [];

    /// <summary>Why the service refused <paramref name="key"/>'s current state, or null when it did not.</summary>
    public string? Get(ObjectKey key)
    {
        lock (_lock)
        {
            return _refused.GetValueOrDefault(key);
        }
    }

    /// <summary>The refused objects of one kind, with why.</summary>
    public IReadOnlyList<KeyValuePair<ObjectKey, string>> Of(ObjectKind kind)
    {
        lock (_lock)
        {
            return [.. _refused.Where(p => p.Key.Kind == kind)];
        }
    }

    /// <summary>The service answered a snapshot whose objects were <paramref name="keys"/>, in order.</summary>
    public void Snapshot(IReadOnlyList<ObjectKey> keys, IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_lock)
        {
            _refused.Clear();
            foreach (var error in errors ?? [])
            {
                if (SnapshotError().Match(error) is { Success: true } m
                    && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    && index < keys.Count)
                {
                    _refused[keys[index]] = m.Groups[2].Value;
                }
            }
        }
    }

    /// <summary>The service answered a batch of <paramref name="deltas"/>.</summary>
    public void Deltas(IReadOnlyList<ObjectDelta> deltas, IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        lock (_lock)
        {
            var bySequence = new Dictionary<long, ObjectDelta>();
            foreach (var delta in deltas)
            {
                _refused.Remove(KeyOf(delta));
                bySequence[delta.Sequence] = delta;
            }

            foreach (var error in errors ?? [])
            {
                if (DeltaError().Match(error) is { Success: true } m
                    && long.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                    && bySequence.TryGetValue(sequence, out var delta) && delta.Type == DeltaType.Upsert)
                {
                    _refused[KeyOf(delta)] = m.Groups[2].Value;
                }
            }
        }
    }

    private static ObjectKey KeyOf(ObjectDelta delta) => new(delta.Kind, delta.Namespace, delta.Name);

    // "objects[3] (NodeClass broken): spec is required"; Kubernetes names hold no ')', so the first "): " ends the subject.
    [GeneratedRegex(@"^objects\[(\d+)\][^:]*?\): (.*)$", RegexOptions.Singleline)]
    private static partial Regex SnapshotError();

    [GeneratedRegex(@"^sequence (\d+) \([^:]*?\): (.*)$", RegexOptions.Singleline)]
    private static partial Regex DeltaError();
}

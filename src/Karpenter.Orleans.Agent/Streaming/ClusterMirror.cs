using System.Text;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent.Streaming;

/// <summary>
/// What the agent holds of its cluster (each object in the slim form the service reads) and what the service has
/// not been sent yet. Changes are coalesced per object until they are taken: the latest state wins, an object
/// created and deleted before the service heard of it is never sent. Sequence numbers are given when changes are
/// taken, so they rise by one per change sent whatever was coalesced. A snapshot is everything held; it is
/// taken first, after a re-list, and whenever <see cref="RequireSnapshot"/> says the service's view may differ
/// (a failed send, ResyncRequired), and it replaces whatever was pending. Objects are held as UTF-8, half the
/// size of .NET strings, for the life of the term.
/// </summary>
public sealed class ClusterMirror
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ObjectKey, byte[]> _objects = [];
    private readonly Dictionary<ObjectKey, LinkedListNode<PendingChange>> _pending = [];
    private readonly LinkedList<PendingChange> _order = new();
    private readonly HashSet<ObjectKind> _expected;
    private readonly HashSet<ObjectKind> _listed = [];
    private TaskCompletionSource _changed = NewSignal();
    private bool _snapshotRequired = true;
    private ObjectKey[] _snapshotKeys = [];
    private long _sequence;

    /// <summary>A mirror that takes nothing until every one of <paramref name="kinds"/> has been listed once, so the first snapshot is the whole cluster.</summary>
    public ClusterMirror(IEnumerable<ObjectKind> kinds)
    {
        _expected = [.. kinds];
    }

    /// <summary>The last sequence number given out.</summary>
    public long Sequence
    {
        get
        {
            lock (_lock)
            {
                return _sequence;
            }
        }
    }

    /// <summary>How many objects are held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    /// <summary>How many objects have a change not yet taken.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>True once every kind has been listed.</summary>
    public bool Ready
    {
        get
        {
            lock (_lock)
            {
                return _listed.IsSupersetOf(_expected);
            }
        }
    }

    /// <summary>The objects of the last snapshot taken, in the order it carries them (the service names a refused one by its place).</summary>
    public IReadOnlyList<ObjectKey> SnapshotKeys
    {
        get
        {
            lock (_lock)
            {
                return _snapshotKeys;
            }
        }
    }

    /// <summary>The keys of the objects of one kind held now.</summary>
    public IReadOnlyList<ObjectKey> Keys(ObjectKind kind)
    {
        lock (_lock)
        {
            return [.. _objects.Keys.Where(k => k.Kind == kind)];
        }
    }

    /// <summary>The held JSON of one object, or null.</summary>
    public string? Get(ObjectKey key)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(key, out var json) ? Encoding.UTF8.GetString(json) : null;
        }
    }

    /// <summary>An object was added or changed (<paramref name="json"/> already slim); an unchanged one is ignored.</summary>
    public void Upsert(ObjectKey key, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        lock (_lock)
        {
            UpsertCore(key, json);
        }
    }

    /// <summary>An object was deleted; one not held is ignored.</summary>
    public void Delete(ObjectKey key)
    {
        lock (_lock)
        {
            DeleteCore(key);
        }
    }

    /// <summary>
    /// A full list of one kind: objects held but not listed were deleted meanwhile, listed ones are upserted. A
    /// list after the first (a re-list after 410 Gone) asks for a snapshot.
    /// </summary>
    public void Replace(ObjectKind kind, IReadOnlyCollection<KeyValuePair<ObjectKey, string>> listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        lock (_lock)
        {
            var present = new HashSet<ObjectKey>(listed.Select(p => p.Key));
            foreach (var gone in _objects.Keys.Where(k => k.Kind == kind && !present.Contains(k)).ToList())
            {
                DeleteCore(gone);
            }

            foreach (var (key, json) in listed)
            {
                UpsertCore(key, json);
            }

            if (!_listed.Add(kind))
            {
                _snapshotRequired = true;
            }

            Signal();
        }
    }

    /// <summary>The service's view may differ from what was sent (a failed send, ResyncRequired): the next take is a snapshot.</summary>
    public void RequireSnapshot()
    {
        lock (_lock)
        {
            _snapshotRequired = true;
            Signal();
        }
    }

    /// <summary>
    /// What to send next for <paramref name="session"/>: a snapshot when one is required, else up to
    /// <paramref name="maxDeltas"/> changes in the order they first happened, else null (also before every kind
    /// has been listed).
    /// </summary>
    public object? Take(string session, int maxDeltas)
    {
        lock (_lock)
        {
            if (!_listed.IsSupersetOf(_expected))
            {
                return null;
            }

            if (_snapshotRequired)
            {
                _snapshotRequired = false;
                _pending.Clear();
                _order.Clear();
                // The held arrays are replaced, never changed, on update, so the snapshot may keep references to them.
                var held = _objects.ToArray();
                var objects = held.Select(p => KeyValuePair.Create(p.Key.Kind, p.Value)).ToArray();
                _snapshotKeys = [.. held.Select(p => p.Key)];
                return new ClusterSnapshot(session, _sequence, new SnapshotObjects(objects));
            }

            if (_order.Count == 0)
            {
                return null;
            }

            var deltas = new List<ObjectDelta>(Math.Min(maxDeltas, _order.Count));
            while (deltas.Count < maxDeltas && _order.First is { } first)
            {
                var change = first.Value;
                _order.RemoveFirst();
                _pending.Remove(change.Key);
                var json = _objects.TryGetValue(change.Key, out var held) ? Encoding.UTF8.GetString(held) : null;
                deltas.Add(new ObjectDelta(
                    ++_sequence,
                    json is null ? DeltaType.Delete : DeltaType.Upsert,
                    change.Key.Kind,
                    change.Key.Namespace,
                    change.Key.Name,
                    json));
            }

            return new DeltaBatch(session, deltas);
        }
    }

    /// <summary>Completes when there may be something to take (at once if there is now).</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        Task changed;
        lock (_lock)
        {
            if (_listed.IsSupersetOf(_expected) && (_snapshotRequired || _order.Count > 0))
            {
                return Task.CompletedTask;
            }

            changed = _changed.Task;
        }

        return changed.WaitAsync(cancellationToken);
    }

    private void UpsertCore(ObjectKey key, string json)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        var existed = _objects.TryGetValue(key, out var held);
        if (existed && held.AsSpan().SequenceEqual(utf8))
        {
            return;
        }

        _objects[key] = utf8;
        if (!_pending.ContainsKey(key))
        {
            _pending[key] = _order.AddLast(new PendingChange(key, existed));
        }

        Signal();
    }

    private void DeleteCore(ObjectKey key)
    {
        if (!_objects.Remove(key))
        {
            return;
        }

        if (_pending.TryGetValue(key, out var node))
        {
            if (!node.Value.KnownToService)
            {
                // Created and deleted between two takes: the service never needs to hear of it.
                _order.Remove(node);
                _pending.Remove(key);
            }
        }
        else
        {
            _pending[key] = _order.AddLast(new PendingChange(key, KnownToService: true));
        }

        Signal();
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>An object with a change not yet taken; <see cref="KnownToService"/> says whether the service had it before.</summary>
    private sealed record PendingChange(ObjectKey Key, bool KnownToService);
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// The objects of every served resource, kept as JSON, with one resourceVersion counter for the
/// whole store (as etcd's revision is), a bounded history of changes that watches and
/// consistent paged lists are served from, and the open watches.
/// All reads and writes take one lock: the store is small and correctness matters more than
/// throughput here.
/// </summary>
internal sealed class ObjectStore
{
    private const string NameChars = "bcdfghjklmnpqrstvwxz2456789";

    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private readonly LinkedList<WatchEvent> _history = new();
    private readonly List<Watcher> _watchers = [];
    private readonly TimeProvider _time;
    private readonly int _historyLimit;
    private readonly bool _gracefulPodDeletion;
    private long _resourceVersion;

    // Every change after this resourceVersion is still in _history.
    private long _historyFloor;

    public ObjectStore(ResourceRegistry registry, TimeProvider time, int historyLimit, bool gracefulPodDeletion = false)
    {
        Registry = registry;
        _time = time;
        _historyLimit = historyLimit;
        _gracefulPodDeletion = gracefulPodDeletion;
    }

    public ResourceRegistry Registry { get; }

    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    public JsonObject Get(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return Clone(type, Find(type, ns, name) ?? throw ApiException.NotFound(type, name));
        }
    }

    public ListResult List(ResourceType type, string? ns, ListQuery query)
    {
        lock (_gate)
        {
            long at;
            var start = "";
            if (query.Continue is { Length: > 0 } token)
            {
                (at, start) = DecodeContinue(token);
                if (at < _historyFloor)
                {
                    throw ApiException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
                }
            }
            else if (query.ResourceVersionMatch == "Exact")
            {
                at = ParseVersion(query.ResourceVersion);
                if (at < _historyFloor)
                {
                    throw ApiException.Gone($"too old resource version: {at} ({_historyFloor + 1})");
                }
            }
            else
            {
                at = _resourceVersion;
            }

            var items = new List<JsonObject>();
            string? next = null;
            var remaining = 0;
            foreach (var (key, obj) in StateAt(type.StorageKey, at))
            {
                if (string.CompareOrdinal(key, start) <= 0 || (ns is not null && Namespace(obj) != ns)
                    || !query.Labels.Matches(obj) || !query.Fields.Matches(obj))
                {
                    continue;
                }

                if (query.Limit > 0 && items.Count == query.Limit)
                {
                    next ??= EncodeContinue(at, Key(items[^1]));
                    remaining++;
                    continue;
                }

                items.Add(Clone(type, obj));
            }

            var unfiltered = query.Labels.IsEmpty && query.Fields.IsEmpty;
            return new ListResult(items, at, next, next is not null && unfiltered ? remaining : null);
        }
    }

    public JsonObject Create(ResourceType type, string? ns, JsonObject body, bool dryRun, FieldValidation fieldValidation = FieldValidation.Warn, ICollection<string>? warnings = null)
    {
        lock (_gate)
        {
            var obj = (JsonObject)body.DeepClone();
            var metadata = Metadata(obj);
            CheckIdentity(type, ns, obj);
            if (metadata["name"].Str() is not { Length: > 0 })
            {
                if (metadata["generateName"].Str() is { Length: > 0 } prefix)
                {
                    metadata["name"] = prefix + string.Concat(Enumerable.Range(0, 5).Select(_ => NameChars[Random.Shared.Next(NameChars.Length)]));
                }
                else
                {
                    throw ApiException.Invalid(type, "", "metadata.name", "Required value: name or generateName is required");
                }
            }

            var name = metadata["name"]!.GetValue<string>();
            ValidateName(type, name);
            if (type.Namespaced)
            {
                metadata["namespace"] = ns;
                if (Find(ResourceRegistry.Namespaces, null, ns!) is null)
                {
                    throw ApiException.NotFound(ResourceRegistry.Namespaces, ns!);
                }
            }
            else
            {
                metadata.Remove("namespace");
            }

            if (Find(type, ns, name) is not null)
            {
                throw ApiException.AlreadyExists(type, name);
            }

            if (type.StorageKey == ResourceRegistry.CustomResourceDefinitions.StorageKey)
            {
                // Refuse a definition that could not be served before storing it.
                ResourceRegistry.FromDefinition(obj);
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Timestamp();
            metadata["generation"] = 1;
            metadata.Remove("deletionTimestamp");
            metadata.Remove("deletionGracePeriodSeconds");
            metadata.Remove("resourceVersion");
            PrepareStatusOnCreate(type, obj);
            Admit(type, name, obj, fieldValidation, warnings);
            if (dryRun)
            {
                return Clone(type, obj);
            }

            Commit(type, obj, "ADDED", null);
            if (type.StorageKey == ResourceRegistry.CustomResourceDefinitions.StorageKey)
            {
                Registry.ApplyDefinition(obj);
            }

            return Clone(type, obj);
        }
    }

    /// <summary>PUT of the object or (with <paramref name="statusOnly"/>) of its status subresource.</summary>
    public JsonObject Update(ResourceType type, string? ns, string name, JsonObject body, bool statusOnly, bool dryRun, FieldValidation fieldValidation = FieldValidation.Warn, ICollection<string>? warnings = null)
    {
        lock (_gate)
        {
            var current = Find(type, ns, name) ?? throw ApiException.NotFound(type, name);
            var requested = Metadata(body)["resourceVersion"].Str();
            if (requested is { Length: > 0 } && requested != Metadata(current)["resourceVersion"].Str())
            {
                throw ApiException.Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            return Replace(type, ns, name, current, body, statusOnly, dryRun, fieldValidation, warnings);
        }
    }

    /// <summary>
    /// Reads the object, lets <paramref name="change"/> compute its new form from a copy, and
    /// stores that as an update would. Null current (not found) is passed when
    /// <paramref name="createIfMissing"/>, as server-side apply creates.
    /// </summary>
    public (JsonObject Object, bool Created) Patch(ResourceType type, string? ns, string name, Func<JsonObject?, JsonObject> change, bool statusOnly, bool createIfMissing, bool dryRun, FieldValidation fieldValidation = FieldValidation.Warn, ICollection<string>? warnings = null)
    {
        lock (_gate)
        {
            var current = Find(type, ns, name);
            if (current is null)
            {
                if (!createIfMissing)
                {
                    throw ApiException.NotFound(type, name);
                }

                var fresh = change(null);
                Metadata(fresh)["name"] = name;
                return (Create(type, ns, fresh, dryRun, fieldValidation, warnings), true);
            }

            var patched = change((JsonObject)current.DeepClone());
            var requested = Metadata(patched)["resourceVersion"].Str();
            if (requested is { Length: > 0 } && requested != Metadata(current)["resourceVersion"].Str())
            {
                throw ApiException.Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
            }

            return (Replace(type, ns, name, current, patched, statusOnly, dryRun, fieldValidation, warnings), false);
        }
    }

    /// <summary>Deletes now, or only marks the object deleted while finalizers remain (Deleted false).</summary>
    public (JsonObject Object, bool Deleted) Delete(ResourceType type, string? ns, string name, JsonObject? options, bool dryRun)
    {
        lock (_gate)
        {
            var current = Find(type, ns, name) ?? throw ApiException.NotFound(type, name);
            if (options?["preconditions"] is JsonObject preconditions)
            {
                var metadata = Metadata(current);
                if (preconditions["uid"].Str() is { } uid && uid != metadata["uid"].Str())
                {
                    throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {metadata["uid"]}");
                }

                if (preconditions["resourceVersion"].Str() is { } rv && rv != metadata["resourceVersion"].Str())
                {
                    throw ApiException.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {metadata["resourceVersion"]}");
                }
            }

            if (dryRun)
            {
                return (Clone(type, current), Metadata(current)["finalizers"] is not JsonArray { Count: > 0 });
            }

            var result = DeleteLocked(type, current, options?["gracePeriodSeconds"].Int());
            return (Clone(type, result), Find(type, ns, name) is null);
        }
    }

    public IReadOnlyList<JsonObject> DeleteCollection(ResourceType type, string? ns, ListQuery query, bool dryRun)
    {
        lock (_gate)
        {
            var victims = Objects(type).Values
                .Where(o => (ns is null || Namespace(o) == ns) && query.Labels.Matches(o) && query.Fields.Matches(o))
                .ToList();
            return dryRun ? [.. victims.Select(v => Clone(type, v))] : [.. victims.Select(v => Clone(type, DeleteLocked(type, v)))];
        }
    }

    /// <summary>
    /// The eviction subresource: deletes the pod unless the one PodDisruptionBudget selecting it
    /// allows no disruption now (429, as the real server answers).
    /// </summary>
    public JsonObject Evict(string ns, string name, long? gracePeriodSeconds = null)
    {
        lock (_gate)
        {
            var pods = ResourceRegistry.Pods;
            var pod = Find(pods, ns, name) ?? throw ApiException.NotFound(pods, name);
            if (!DisruptionBudgets.CanIgnoreBudget(pod))
            {
                var budgets = Objects(ResourceRegistry.PodDisruptionBudgets).Values
                    .Where(b => Namespace(b) == ns && LabelSelector.FromObject(b["spec"]?["selector"])?.Matches(pod) == true)
                    .ToList();
                if (budgets.Count > 1)
                {
                    throw new ApiException(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
                }

                if (budgets.Count == 1)
                {
                    var pdb = budgets[0];
                    var status = DisruptionBudgets.Compute(pdb, PodsIn(ns), _time.GetUtcNow(), pdb["status"] as JsonObject);
                    if (!DisruptionBudgets.Allows(pdb, status, pod))
                    {
                        var budgetName = Metadata(pdb)["name"]!.GetValue<string>();
                        throw new ApiException(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", new JsonObject
                        {
                            ["causes"] = new JsonArray(new JsonObject
                            {
                                ["reason"] = "DisruptionBudget",
                                ["message"] = $"The disruption budget {budgetName} needs {status["desiredHealthy"]} healthy pods and has {status["currentHealthy"]} currently",
                            }),
                        });
                    }
                }
            }

            DeleteLocked(pods, pod, gracePeriodSeconds);
            return StatusObjects.Success(201);
        }
    }

    /// <summary>Opens a watch from a resourceVersion (or the current state when none is given).</summary>
    public Watcher Watch(ResourceType type, string? ns, ListQuery query, bool bookmarks, bool sendInitialEvents, bool asTable = false)
    {
        lock (_gate)
        {
            var watcher = new Watcher(type, ns, query.Labels, query.Fields, bookmarks, asTable);
            if (query.ResourceVersion is null or "" or "0" || sendInitialEvents)
            {
                foreach (var obj in Objects(type).Values)
                {
                    watcher.Initial(obj);
                }

                if (sendInitialEvents)
                {
                    watcher.Bookmark(_resourceVersion, initialEventsEnd: true);
                }
            }
            else
            {
                var from = ParseVersion(query.ResourceVersion);
                if (from < _historyFloor)
                {
                    watcher.Fail(StatusObjects.Failure(410, "Expired", $"too old resource version: {from} ({_historyFloor + 1})"));
                    return watcher;
                }

                foreach (var change in _history.Where(e => e.ResourceVersion > from))
                {
                    watcher.Offer(change);
                }
            }

            _watchers.Add(watcher);
            return watcher;
        }
    }

    public void StopWatching(Watcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
            watcher.Close();
        }
    }

    /// <summary>Ends every open watch (their streams close cleanly), as an API server restart would.</summary>
    public int CloseWatches()
    {
        lock (_gate)
        {
            var count = _watchers.Count;
            foreach (var watcher in _watchers)
            {
                watcher.Close();
            }

            _watchers.Clear();
            return count;
        }
    }

    /// <summary>Forgets all history, as etcd compaction does: a watch or continue from before now gets 410.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _historyFloor = _resourceVersion;
        }
    }

    /// <summary>Sends a BOOKMARK at the current resourceVersion to every watch that asked for them.</summary>
    public void SendBookmarks()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                watcher.Bookmark(_resourceVersion);
            }
        }
    }

    /// <summary>Creates an object at start-up (default namespaces); no watch is open yet.</summary>
    public void Seed(ResourceType type, JsonObject obj) => Create(type, null, obj, dryRun: false);

    private JsonObject Replace(ResourceType type, string? ns, string name, JsonObject current, JsonObject body, bool statusOnly, bool dryRun, FieldValidation fieldValidation, ICollection<string>? warnings)
    {
        var next = (JsonObject)body.DeepClone();
        CheckIdentity(type, ns, next);
        var metadata = Metadata(next);
        if (metadata["name"].Str() is { } bodyName && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        var old = Metadata(current);
        if (statusOnly)
        {
            // The status subresource changes status alone; everything else stays as stored.
            var status = next["status"]?.DeepClone();
            next = (JsonObject)current.DeepClone();
            next["status"] = status;
            metadata = Metadata(next);
        }
        else if (type.HasStatus)
        {
            next["status"] = current["status"]?.DeepClone();
        }

        metadata["name"] = name;
        if (type.Namespaced)
        {
            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
        }

        foreach (var immutable in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            metadata[immutable] = old[immutable]?.DeepClone();
            if (metadata[immutable] is null)
            {
                metadata.Remove(immutable);
            }
        }

        if (next["status"] is null)
        {
            next.Remove("status");
        }

        metadata["resourceVersion"] = old["resourceVersion"]?.DeepClone();
        Admit(type, name, next, fieldValidation, warnings);
        if (JsonNode.DeepEquals(next, current))
        {
            // A no-op write changes nothing: no new resourceVersion, no watch event.
            return Clone(type, current);
        }

        if (type.StorageKey == ResourceRegistry.CustomResourceDefinitions.StorageKey)
        {
            ResourceRegistry.FromDefinition(next);
        }

        if (!JsonNode.DeepEquals(WithoutMetadataAndStatus(next), WithoutMetadataAndStatus(current)))
        {
            metadata["generation"] = (old["generation"].Int() ?? 1) + 1;
        }

        if (dryRun)
        {
            return Clone(type, next);
        }

        if (old["deletionTimestamp"] is not null && (metadata["finalizers"] is not JsonArray f || f.Count == 0))
        {
            // The last finalizer is gone from an object being deleted: now it is removed.
            return Clone(type, Remove(type, next, current));
        }

        Commit(type, next, "MODIFIED", current);
        if (type.StorageKey == ResourceRegistry.CustomResourceDefinitions.StorageKey)
        {
            Registry.ApplyDefinition(next);
        }

        return Clone(type, next);
    }

    // What kube-apiserver does to a custom resource before storing it: prune the fields its schema
    // does not declare (refusing them under Strict), fill in defaults, then validate.
    private static void Admit(ResourceType type, string name, JsonObject obj, FieldValidation fieldValidation, ICollection<string>? warnings)
    {
        if (type.Schema is not { } schema)
        {
            return;
        }

        var unknown = schema.Prune(obj);
        if (unknown.Count > 0 && fieldValidation == FieldValidation.Strict)
        {
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {string.Join(", ", unknown.Select(u => $"unknown field \"{u}\""))}");
        }

        if (fieldValidation == FieldValidation.Warn)
        {
            foreach (var field in unknown)
            {
                warnings?.Add($"unknown field \"{field}\"");
            }
        }

        schema.Default(obj);
        if (schema.Validate(obj) is { Count: > 0 } errors)
        {
            throw ApiException.Invalid(type, name, errors);
        }
    }

    private JsonObject DeleteLocked(ResourceType type, JsonObject current, long? gracePeriodSeconds = null)
    {
        if (_gracefulPodDeletion && type.StorageKey == ResourceRegistry.Pods.StorageKey
            && current["spec"]?["nodeName"].Str() is { Length: > 0 }
            && current["status"]?["phase"].Str() is not ("Succeeded" or "Failed"))
        {
            // A pod bound to a node terminates: it keeps running, marked, until its kubelet (here:
            // whoever plays it) deletes it again with a zero grace period.
            var grace = gracePeriodSeconds ?? current["spec"]?["terminationGracePeriodSeconds"].Int() ?? 30;
            if (grace > 0)
            {
                var marked = Metadata(current)["deletionGracePeriodSeconds"].Int();
                if (marked is { } already && already <= grace)
                {
                    return current;
                }

                var terminating = (JsonObject)current.DeepClone();
                Metadata(terminating)["deletionTimestamp"] = Timestamp(TimeSpan.FromSeconds(grace));
                Metadata(terminating)["deletionGracePeriodSeconds"] = grace;
                Commit(type, terminating, "MODIFIED", current);
                return terminating;
            }
        }

        if (Metadata(current)["finalizers"] is JsonArray { Count: > 0 })
        {
            if (Metadata(current)["deletionTimestamp"] is not null)
            {
                return current;
            }

            var marked = (JsonObject)current.DeepClone();
            Metadata(marked)["deletionTimestamp"] = Timestamp();
            Metadata(marked)["deletionGracePeriodSeconds"] = 0;
            Commit(type, marked, "MODIFIED", current);
            return marked;
        }

        return Remove(type, current, current);
    }

    private JsonObject Remove(ResourceType type, JsonObject last, JsonObject current)
    {
        var gone = (JsonObject)last.DeepClone();
        Objects(type).Remove(Key(current));
        Record(type, gone, "DELETED", current);
        if (type.StorageKey == ResourceRegistry.CustomResourceDefinitions.StorageKey)
        {
            var crdName = Metadata(current)["name"]!.GetValue<string>();
            Registry.RemoveDefinition(crdName);
            if (_objects.TryGetValue(crdName, out var custom))
            {
                var served = ResourceRegistry.FromDefinition(current)[0];
                foreach (var obj in custom.Values.ToList())
                {
                    Remove(served, obj, obj);
                }
            }
        }
        else if (type.StorageKey == ResourceRegistry.Namespaces.StorageKey)
        {
            var ns = Metadata(current)["name"]!.GetValue<string>();
            foreach (var namespaced in Registry.All().Where(t => t.Namespaced).DistinctBy(t => t.StorageKey))
            {
                foreach (var obj in Objects(namespaced).Values.Where(o => Namespace(o) == ns).ToList())
                {
                    Remove(namespaced, obj, obj);
                }
            }
        }

        AfterChange(type, Namespace(current));
        return gone;
    }

    private void Commit(ResourceType type, JsonObject obj, string eventType, JsonObject? previous)
    {
        Objects(type)[Key(obj)] = obj;
        Record(type, obj, eventType, previous);
        AfterChange(type, Namespace(obj));
    }

    private void Record(ResourceType type, JsonObject obj, string eventType, JsonObject? previous)
    {
        _resourceVersion++;
        Metadata(obj)["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture);
        var change = new WatchEvent(_resourceVersion, type.StorageKey, Key(obj), eventType, obj, previous);
        _history.AddLast(change);
        while (_history.Count > _historyLimit)
        {
            _historyFloor = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        foreach (var watcher in _watchers)
        {
            watcher.Offer(change);
        }
    }

    // The disruption controller's part: a PDB's status follows the pods it selects.
    private void AfterChange(ResourceType type, string? ns)
    {
        if (ns is null || (type.StorageKey != ResourceRegistry.Pods.StorageKey && type.StorageKey != ResourceRegistry.PodDisruptionBudgets.StorageKey))
        {
            return;
        }

        var budgets = Objects(ResourceRegistry.PodDisruptionBudgets).Values.Where(b => Namespace(b) == ns).ToList();
        if (budgets.Count == 0)
        {
            return;
        }

        var pods = PodsIn(ns);
        foreach (var pdb in budgets)
        {
            var status = DisruptionBudgets.Compute(pdb, pods, _time.GetUtcNow(), pdb["status"] as JsonObject);
            if (JsonNode.DeepEquals(status, pdb["status"]))
            {
                continue;
            }

            var next = (JsonObject)pdb.DeepClone();
            next["status"] = status;
            Objects(ResourceRegistry.PodDisruptionBudgets)[Key(next)] = next;
            Record(ResourceRegistry.PodDisruptionBudgets, next, "MODIFIED", pdb);
        }
    }

    private List<JsonObject> PodsIn(string ns) => [.. Objects(ResourceRegistry.Pods).Values.Where(p => Namespace(p) == ns)];

    private void PrepareStatusOnCreate(ResourceType type, JsonObject obj)
    {
        if (type.StorageKey == ResourceRegistry.Pods.StorageKey)
        {
            // A new pod is Pending whatever the client sent; kubelet (here: the test) reports the rest.
            obj["status"] = new JsonObject { ["phase"] = "Pending" };
        }
        else if (type.StorageKey == ResourceRegistry.Namespaces.StorageKey)
        {
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (type.StorageKey == ResourceRegistry.CustomResourceDefinitions.StorageKey)
        {
            var names = obj["spec"]?["names"]?.DeepClone();
            var now = Timestamp();
            obj["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(
                    Condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                    Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)),
                ["acceptedNames"] = names,
                ["storedVersions"] = new JsonArray([.. (obj["spec"]?["versions"] as JsonArray ?? [])
                    .Where(v => v?["storage"].Bool() == true)
                    .Select(v => (JsonNode?)JsonValue.Create(v!["name"]!.GetValue<string>()))]),
            };
        }
        else if (type.IsCustom && type.HasStatus)
        {
            // With the status subresource, create ignores status (as for custom resources upstream).
            obj.Remove("status");
        }
    }

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };

    private IEnumerable<KeyValuePair<string, JsonObject>> StateAt(string storageKey, long at)
    {
        var current = _objects.TryGetValue(storageKey, out var objects) ? objects : [];
        if (at >= _resourceVersion)
        {
            return current;
        }

        // Rewind: the state at `at` of a key changed since is what its first later change replaced.
        var state = new SortedDictionary<string, JsonObject>(current, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in _history)
        {
            if (change.ResourceVersion <= at || change.StorageKey != storageKey || !seen.Add(change.Key))
            {
                continue;
            }

            if (change.Previous is null)
            {
                state.Remove(change.Key);
            }
            else
            {
                state[change.Key] = change.Previous;
            }
        }

        return state;
    }

    private void CheckIdentity(ResourceType type, string? ns, JsonObject obj)
    {
        if (obj["apiVersion"].Str() is { } apiVersion && apiVersion != type.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        if (obj["kind"].Str() is { } kind && kind != type.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }

        if (type.Namespaced && Metadata(obj)["namespace"].Str() is { Length: > 0 } bodyNs && bodyNs != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
    }

    private static void ValidateName(ResourceType type, string name)
    {
        var valid = name.Length <= 253 && name.Split('.').All(part =>
            part.Length > 0 && char.IsAsciiLetterOrDigit(part[0]) && char.IsAsciiLetterOrDigit(part[^1])
            && part.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'));
        if (!valid)
        {
            throw ApiException.Invalid(type, name, "metadata.name", $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        }
    }

    private JsonObject? Find(ResourceType type, string? ns, string name) =>
        Objects(type).GetValueOrDefault(type.Namespaced ? $"{ns}/{name}" : name);

    private SortedDictionary<string, JsonObject> Objects(ResourceType type)
    {
        if (!_objects.TryGetValue(type.StorageKey, out var objects))
        {
            objects = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[type.StorageKey] = objects;
        }

        return objects;
    }

    private static JsonObject Clone(ResourceType type, JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy["apiVersion"] = type.ApiVersion;
        return copy;
    }

    private static JsonObject WithoutMetadataAndStatus(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        copy.Remove("apiVersion");
        return copy;
    }

    internal static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            obj["metadata"] = metadata;
        }

        return metadata;
    }

    private static string? Namespace(JsonObject obj) => obj["metadata"]?["namespace"].Str();

    private static string Key(JsonObject obj) =>
        Namespace(obj) is { } ns ? $"{ns}/{Metadata(obj)["name"]!.GetValue<string>()}" : Metadata(obj)["name"]!.GetValue<string>();

    private string Timestamp(TimeSpan? after = null) =>
        (_time.GetUtcNow() + (after ?? TimeSpan.Zero)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static long ParseVersion(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw ApiException.BadRequest($"invalid resource version \"{text}\"");

    private static string EncodeContinue(long at, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["rv"] = at, ["start"] = lastKey }.ToJsonString()));

    private static (long At, string Start) DecodeContinue(string token)
    {
        try
        {
            var node = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)))!;
            return (node["rv"]!.GetValue<long>(), node["start"]!.GetValue<string>());
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiException.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}

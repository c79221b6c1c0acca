using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>
/// A cluster's agent as the protocol wants it (docs/service.md "Agent protocol"): a session, one sequence
/// number per change, deltas kept until the service has them, a snapshot whenever it answers resyncRequired.
/// It also plays the cluster: instances the service launched join as Ready nodes, and pods nominated to a
/// claim are bound to its node, as kube-scheduler would.
/// </summary>
internal sealed class TestAgent
{
    private readonly Dictionary<string, (string Kind, string Json)> _objects = new(StringComparer.Ordinal);
    private readonly List<object> _unsent = [];
    private readonly Dictionary<string, string> _podNodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodesByClaim = new(StringComparer.Ordinal);
    private readonly HashSet<string> _liveNodes = new(StringComparer.Ordinal);
    private int _podCounter;

    public TestAgent(string clusterId, string region, string token)
    {
        ClusterId = clusterId;
        Region = region;
        Token = token;
        NewSession();
    }

    public string ClusterId { get; }

    public string Region { get; }

    public string Token { get; }

    public string Session { get; private set; } = "";

    public long Sequence { get; private set; }

    /// <summary>Pods the cluster has (none are DaemonSet pods), by "namespace/name".</summary>
    public IEnumerable<string> Pods => _objects.Where(o => o.Value.Kind == "pod").Select(o => o.Key[4..]);

    /// <summary>Pods not bound to a node.</summary>
    public IEnumerable<string> PendingPods => Pods.Where(p => !_podNodes.ContainsKey(p));

    public int Snapshots { get; private set; }

    /// <summary>A new agent process: a new session id, so the service asks for a snapshot.</summary>
    public void NewSession() => Session = "agent-" + Guid.NewGuid().ToString("n")[..12];

    /// <summary>One NodePool, on-demand only (no spot interruption can change the picture), never consolidated.</summary>
    public void AddNodePool()
    {
        var json = """
            {"apiVersion":"karpenter.sh/v1","kind":"NodePool","metadata":{"name":"default"},
             "spec":{"template":{"spec":{"nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"default"},
               "requirements":[{"key":"karpenter.sh/capacity-type","operator":"In","values":["on-demand"]},
                               {"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}]}},
               "disruption":{"consolidateAfter":"Never"}}}
            """;
        Upsert("nodePool", null, "default", json);
    }

    /// <summary>New pending pods that each need a node of their own (required hostname anti-affinity), so a batch launches one claim per pod.</summary>
    public IReadOnlyList<string> AddPendingPods(int count)
    {
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var name = $"web-{++_podCounter}";
            Upsert("pod", "default", name, PodJson(name, null));
            names.Add($"default/{name}");
        }

        return names;
    }

    /// <summary>Sends what the service does not have yet; a change-free heartbeat when nothing is new. False when the service did not answer.</summary>
    public async Task<bool> SyncAsync(Uri silo)
    {
        using var api = new KarpoApi(silo, Token);
        if (_unsent.Count == 0)
        {
            // An informer's periodic resync: the same pod again, as a new change.
            var any = _objects.FirstOrDefault(o => o.Value.Kind == "pod");
            if (any.Key is not null)
            {
                var slash = any.Key.IndexOf('/', 4);
                Queue("upsert", "pod", any.Key[4..slash], any.Key[(slash + 1)..], any.Value.Json);
            }
            else
            {
                return await SnapshotAsync(silo);
            }
        }

        try
        {
            var result = await api.SendAsync(HttpMethod.Post, $"/api/v1/clusters/{ClusterId}/deltas", new { agentSession = Session, deltas = _unsent });
            if (result.GetProperty("resyncRequired").GetBoolean())
            {
                return await SnapshotAsync(silo);
            }

            _unsent.Clear();
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Every object, with the sequence number of the last change it includes.</summary>
    public async Task<bool> SnapshotAsync(Uri silo)
    {
        using var api = new KarpoApi(silo, Token);
        var objects = _objects.Values.Select(o => new { kind = o.Kind, json = o.Json }).ToList();
        try
        {
            var result = await api.SendAsync(HttpMethod.Put, $"/api/v1/clusters/{ClusterId}/state", new { agentSession = Session, sequence = Sequence, objects });
            if (result.GetProperty("errors").GetArrayLength() > 0)
            {
                throw new InvalidOperationException($"snapshot of {ClusterId} refused objects: {result}");
            }

            _unsent.Clear();
            Snapshots++;
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Plays the cluster: every launched claim's instance joins as a Ready node whose kubelet reports the
    /// claim's capacity, and pending pods bind as kube-scheduler would bind them here (each pod needs a node
    /// of its own): to the node of the claim they are nominated to, else to any node without a pod. Returns
    /// how many pods were bound.
    /// </summary>
    public int JoinAndBind(IEnumerable<JsonElement> claims, IEnumerable<JsonElement> pending)
    {
        foreach (var claim in claims)
        {
            var name = claim.GetProperty("name").GetString()!;
            if (claim.GetProperty("clusterId").GetString() != ClusterId ||
                claim.GetProperty("phase").GetString() is not ("launched" or "registered" or "initialized") ||
                claim.GetProperty("instanceId").GetString() is not { } instance || _nodesByClaim.ContainsKey(name))
            {
                continue;
            }

            var node = "ip-" + instance[2..];
            _nodesByClaim[name] = node;
            _liveNodes.Add(node);
            var zone = claim.GetProperty("zone").GetString();
            var cpu = claim.GetProperty("capacityMilliCpu").GetInt64().ToString(CultureInfo.InvariantCulture) + "m";
            var memory = claim.GetProperty("capacityMemory").GetInt64().ToString(CultureInfo.InvariantCulture);
            var resources = $$"""{"cpu":"{{cpu}}","memory":"{{memory}}","pods":"110"}""";
            Upsert("node", null, node, $$$"""
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"{{{node}}}","labels":{"karpenter.sh/nodepool":"default","topology.kubernetes.io/zone":"{{{zone}}}","kubernetes.io/hostname":"{{{node}}}"}},
                 "spec":{"providerID":"sim:///{{{zone}}}/{{{instance}}}"},"status":{"conditions":[{"type":"Ready","status":"True"}],"capacity":{{{resources}}},"allocatable":{{{resources}}}}}
                """);
        }

        var free = _liveNodes.Where(n => !_podNodes.ContainsValue(n)).Order(StringComparer.Ordinal).ToList();
        var waiting = pending
            .Select(p => (Key: $"{p.GetProperty("namespace").GetString()}/{p.GetProperty("name").GetString()}",
                Claim: p.TryGetProperty("nodeClaim", out var c) ? c.GetString() : null))
            .Where(p => _objects.ContainsKey("pod/" + p.Key) && !_podNodes.ContainsKey(p.Key))
            .OrderBy(p => p.Claim is null)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        var bound = 0;
        foreach (var (key, claimName) in waiting)
        {
            var node = claimName is not null && _nodesByClaim.TryGetValue(claimName, out var n) && free.Contains(n) ? n : free.FirstOrDefault();
            if (node is null)
            {
                break;
            }

            free.Remove(node);
            _podNodes[key] = node;
            Upsert("pod", "default", key[8..], PodJson(key[8..], node));
            bound++;
        }

        return bound;
    }

    /// <summary>Whether a pod is bound to the node.</summary>
    public bool HasPodsOn(string node) => _podNodes.ContainsValue(node);

    /// <summary>Claims whose node this agent removed.</summary>
    public HashSet<string> Removed { get; } = new(StringComparer.Ordinal);

    /// <summary>Nodes that joined, by the claim they belong to.</summary>
    public IReadOnlyDictionary<string, string> NodesByClaim => _nodesByClaim;

    /// <summary>The node leaves the cluster (its pods are deleted first, as a drain would); the service deletes its claim.</summary>
    public void RemoveNodeOf(string claim)
    {
        Removed.Add(claim);
        var node = _nodesByClaim[claim];
        foreach (var pod in _podNodes.Where(p => p.Value == node).Select(p => p.Key).ToList())
        {
            _podNodes.Remove(pod);
            _objects.Remove("pod/" + pod);
            Queue("delete", "pod", "default", pod[8..], null);
        }

        _objects.Remove("node/" + node);
        _liveNodes.Remove(node);
        Queue("delete", "node", null, node, null);
    }

    private static string PodJson(string name, string? node)
    {
        var nodeName = node is null ? "" : $"\"nodeName\":\"{node}\",";
        var phase = node is null ? "Pending" : "Running";
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\",\"labels\":{\"app\":\"fault\"}}," +
            "\"spec\":{" + nodeName + "\"containers\":[{\"name\":\"web\",\"image\":\"nginx\",\"resources\":{\"requests\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}}]," +
            "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":{\"matchLabels\":{\"app\":\"fault\"}},\"topologyKey\":\"kubernetes.io/hostname\"}]}}}," +
            "\"status\":{\"phase\":\"" + phase + "\"}}";
    }

    private void Upsert(string kind, string? ns, string name, string json)
    {
        // Compact, as the Kubernetes API serves it.
        json = JsonNode.Parse(json)!.ToJsonString();
        _objects[$"{kind}/{(ns is null ? "" : ns + "/")}{name}"] = (kind, json);
        Queue("upsert", kind, ns, name, json);
    }

    private void Queue(string type, string kind, string? ns, string name, string? json)
    {
        var delta = new Dictionary<string, object>(StringComparer.Ordinal) { ["sequence"] = ++Sequence, ["type"] = type, ["kind"] = kind, ["name"] = name };
        if (ns is not null)
        {
            delta["namespace"] = ns;
        }

        if (json is not null)
        {
            delta["json"] = json;
        }

        _unsent.Add(delta);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ClusterId} session {Session} seq {Sequence}");
}

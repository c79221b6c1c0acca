using System.Diagnostics;
using System.Text.Json.Nodes;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent.Kubernetes;
using Karpenter.Orleans.Agent.Streaming;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>
/// The agent's memory holding one large cluster (<c>nodes</c> Ready nodes and <c>nodes × podsPerNode</c> Running
/// pods bound to them): every object is serialized as the API server serves it, parsed and slimmed as the
/// agent's watcher does, and held in a <see cref="ClusterMirror"/>; then a full compacting GC and the managed
/// heap over the baseline, the JSON a snapshot sends, the time one snapshot takes to build and the heap while it is held.
/// </summary>
public static class AgentMemoryFigure
{
    public static int Run(int nodes, int podsPerNode, TextWriter output)
    {
        const string cluster = "agent-mem";
        var created = DateTime.UtcNow;
        var mirror = new ClusterMirror([ObjectKind.Pod, ObjectKind.Node]);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var served = 0L;
        var held = 0L;
        var nodeList = new List<KeyValuePair<ObjectKey, string>>(nodes);
        for (var i = 0; i < nodes; i++)
        {
            var node = k8s.KubernetesJson.Serialize(KubeObjects.Node(cluster, i, created));
            served += node.Length;
            var slim = ObjectSlimmer.Slim(ObjectKind.Node, JsonNode.Parse(node)!.AsObject()).ToJsonString();
            held += slim.Length;
            nodeList.Add(new(new ObjectKey(ObjectKind.Node, null, KubeObjects.NodeName(cluster, i)), slim));
        }

        mirror.Replace(ObjectKind.Node, nodeList);
        nodeList = null;
        var pods = (long)nodes * podsPerNode;
        var podList = new List<KeyValuePair<ObjectKey, string>>((int)pods);
        for (var i = 0L; i < pods; i++)
        {
            var pod = KubeObjects.Pod(cluster, i, KubeObjects.NodeName(cluster, (int)(i % nodes)), created);
            var json = k8s.KubernetesJson.Serialize(pod);
            served += json.Length;
            var slim = ObjectSlimmer.Slim(ObjectKind.Pod, JsonNode.Parse(json)!.AsObject()).ToJsonString();
            held += slim.Length;
            podList.Add(new(new ObjectKey(ObjectKind.Pod, pod.Metadata.NamespaceProperty, pod.Metadata.Name), slim));
        }

        mirror.Replace(ObjectKind.Pod, podList);
        podList = null;
        var loaded = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var snapshot = (ClusterSnapshot)mirror.Take("figure", 500)!;
        var built = watch.Elapsed;
        var sending = GC.GetTotalMemory(forceFullCollection: true);

        // Sent as the agent sends it (System.Text.Json into the request stream); the stream samples the heap as it is written.
        var sink = new HeapSamplingStream();
        watch.Restart();
        System.Text.Json.JsonSerializer.Serialize(sink, snapshot, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        var serialized = watch.Elapsed;
        var objects = nodes + pods;
        output.WriteLine($"== agent memory: {Stats.N(nodes)} nodes, {Stats.N(pods)} pods ({Stats.N(snapshot.Objects.Count)} objects held)");
        output.WriteLine($"   JSON as served: {Stats.N(served / 1024.0 / 1024.0)} M chars ({Stats.N(served / (double)objects)} per object); held slim: {Stats.N(held / 1024.0 / 1024.0)} M chars ({Stats.N(held / (double)objects)} per object)");
        output.WriteLine($"   RESULT agent memory: managed heap +{Stats.MiB(loaded - baseline)} over baseline (~{Stats.N((loaded - baseline) / (double)objects)} bytes per object); snapshot built in {built.TotalMilliseconds:N0} ms, +{Stats.MiB(Math.Max(0, sending - loaded))} while it is held for sending; serialized ({Stats.N(sink.Length / 1024.0 / 1024.0)} MB) in {serialized.TotalMilliseconds:N0} ms with the heap at most +{Stats.MiB(sink.MaxHeap - loaded)} over the loaded mirror");
        GC.KeepAlive(mirror);
        return snapshot.Objects.Count == objects ? 0 : 1;
    }
}

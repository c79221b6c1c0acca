using System.Diagnostics;
using System.Runtime;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>
/// Figure 3: memory of one silo holding many clusters. Registers <c>clusters</c> clusters and sends
/// each one snapshot of a NodePool, <c>nodes</c> Ready nodes and <c>nodes × podsPerNode</c> Running pods
/// bound to them, every pod built and serialized on its own (no shared objects). Each snapshot is
/// dropped once sent, so what stays on the heap is the silo's. Then a full blocking, compacting GC and
/// the managed heap and the process's resident set. Timers are off so no provisioning or reconcile
/// work is in flight while measuring.
/// </summary>
public static class MemoryFigure
{
    public sealed record Settings(int Clusters = 100, int Nodes = 100, int PodsPerNode = 30);

    public static async Task<int> RunAsync(Settings s, TextWriter output)
    {
        var pods = s.Nodes * s.PodsPerNode;
        output.WriteLine($"== memory: {s.Clusters} clusters x {s.Nodes} nodes x {s.PodsPerNode} pods ({Stats.N((long)s.Clusters * pods)} pods); " +
                         $"GC: {(GCSettings.IsServerGC ? "server" : "workstation")}{(GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : ", concurrent")}; Karpo:Provisioning:Timers=false");
        await using var silo = await ServiceSilo.StartAsync(new Dictionary<string, string?> { ["Timers"] = "false", ["InterruptionPolling"] = "false" });
        var fleet = silo.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);
        await fleet.GetClustersAsync();
        var baseline = Measure();
        output.WriteLine($"   baseline (silo started, no cluster): heap {Stats.MiB(baseline.Heap)}, RSS {Stats.MiB(baseline.Rss)}");

        var failed = false;
        var jsonChars = 0L;
        var watch = Stopwatch.StartNew();
        for (var c = 0; c < s.Clusters; c++)
        {
            var id = $"mem-{c:D3}";
            await fleet.RegisterClusterAsync(KubeObjects.Registration(id), new string('c', 64));
            var (sent, chars) = await SendSnapshotAsync(silo.Grains.GetGrain<IClusterGrain>(id), id, s.Nodes, s.PodsPerNode);
            jsonChars += chars;
            failed |= !sent;
            if ((c + 1) % 20 == 0)
            {
                output.WriteLine($"   {c + 1} clusters loaded in {Stats.Seconds(watch.Elapsed.TotalSeconds)}");
            }
        }

        // Spot-check that the grains hold what was sent.
        foreach (var id in new[] { "mem-000", $"mem-{s.Clusters - 1:D3}" })
        {
            var status = await silo.Grains.GetGrain<IClusterGrain>(id).GetStatusAsync();
            if (status.Pods != pods || status.Nodes != s.Nodes)
            {
                failed = true;
                output.WriteLine($"   {id}: holds {status.Pods} pods and {status.Nodes} nodes, expected {pods} and {s.Nodes}");
            }
        }

        var loaded = Measure();
        var perPod = (loaded.Heap - baseline.Heap) / (double)((long)s.Clusters * (pods + s.Nodes));
        output.WriteLine($"   sent {Stats.N(jsonChars / 1024.0 / 1024.0)} M JSON chars ({Stats.N(jsonChars / (double)((long)s.Clusters * (pods + s.Nodes)))} per object) in {Stats.Seconds(watch.Elapsed.TotalSeconds)}");
        output.WriteLine($"   RESULT memory: managed heap {Stats.MiB(loaded.Heap)} (+{Stats.MiB(loaded.Heap - baseline.Heap)} over baseline, ~{Stats.N(perPod)} bytes per pod or node), " +
                         $"GC committed {Stats.MiB(loaded.Committed)}, RSS {Stats.MiB(loaded.Rss)}, peak RSS {Stats.MiB(loaded.PeakRss)}");
        silo.Log.Report(output);
        output.WriteLine($"   for reference, one deserialized V1Pod of this shape alone holds ~{Stats.N(PodObjectBytes(10_000))} bytes of managed heap");
        return failed ? 1 : 0;
    }

    /// <summary>
    /// What holding a pod as a <c>k8s.Models.V1Pod</c> costs by itself (what the cluster grain keeps per
    /// pod), so the per-pod figure above can be attributed: the model, or the service's own bookkeeping.
    /// </summary>
    private static double PodObjectBytes(int count)
    {
        var json = Enumerable.Range(0, count)
            .Select(i => k8s.KubernetesJson.Serialize(KubeObjects.Pod("reference", i, KubeObjects.NodeName("reference", i % 100), DateTime.UtcNow)))
            .ToList();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var pods = json.Select(j => k8s.KubernetesJson.Deserialize<k8s.Models.V1Pod>(j)).ToList();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(pods);
        GC.KeepAlive(json);
        return (after - before) / (double)count;
    }

    private static async Task<(bool Ok, long Chars)> SendSnapshotAsync(IClusterGrain grain, string id, int nodes, int podsPerNode)
    {
        var now = DateTime.UtcNow;
        var objects = new List<ClusterObject>(1 + nodes * (1 + podsPerNode)) { new(ObjectKind.NodePool, KubeObjects.NodePoolJson) };
        for (var n = 0; n < nodes; n++)
        {
            objects.Add(KubeObjects.Object(KubeObjects.Node(id, n, now)));
        }

        for (var p = 0; p < nodes * podsPerNode; p++)
        {
            objects.Add(KubeObjects.Object(KubeObjects.Pod(id, p, KubeObjects.NodeName(id, p % nodes), now)));
        }

        var result = await grain.ResyncAsync(new ClusterSnapshot(Guid.NewGuid().ToString("N"), 0, objects));
        return (result.Errors.Count == 0 && result.Applied == objects.Count, objects.Sum(o => (long)o.Json.Length));
    }

    private sealed record Snapshot(long Heap, long Committed, long Rss, long PeakRss);

    private static Snapshot Measure()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new Snapshot(heap, info.TotalCommittedBytes, process.WorkingSet64, process.PeakWorkingSet64);
    }
}

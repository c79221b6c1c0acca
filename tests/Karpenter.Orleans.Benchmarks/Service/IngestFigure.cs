using System.Diagnostics;
using k8s.Models;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>
/// Figure 1: pod deltas one silo ingests per second. Registers <c>clusters</c> clusters, sends each a
/// snapshot (a NodePool, Ready nodes, bound pods), then streams pod churn through
/// <see cref="IClusterGrain.ApplyDeltasAsync"/>: every pod is created pending, bound, then deleted, so a
/// batch holds about a third of each. Each cluster sends its batches one after another (as one agent
/// does) while all clusters send side by side. The batches are built and serialized before the clock
/// starts, as an agent in another process would do. Provisioning timers are off: only ingestion runs.
/// </summary>
public static class IngestFigure
{
    public sealed record Settings(int Clusters = 4, int Nodes = 50, int PodsPerCluster = 1500, int BatchesPerRound = 20, int Rounds = 3, int BatchSize = 500);

    public static async Task<int> RunAsync(Settings s, TextWriter output)
    {
        output.WriteLine($"== ingest: {s.Clusters} clusters, {s.Nodes} nodes and {s.PodsPerCluster} bound pods each, batches of {s.BatchSize} pod deltas, " +
                         $"{s.BatchesPerRound} batches per cluster per round, 1 warm-up + {s.Rounds} rounds; Karpo:Provisioning:Timers=false");
        await using var silo = await ServiceSilo.StartAsync(new Dictionary<string, string?> { ["Timers"] = "false", ["InterruptionPolling"] = "false" });
        var streams = new List<AgentStream>();
        for (var c = 0; c < s.Clusters; c++)
        {
            var id = $"ingest-{c:D2}";
            var stream = new AgentStream(id, silo.Grains.GetGrain<IClusterGrain>(id));
            await silo.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(KubeObjects.Registration(id), new string('a', 64));
            await stream.SendSnapshotAsync(s.Nodes, s.PodsPerCluster);
            streams.Add(stream);
        }

        var failed = false;
        var totals = (Deltas: 0L, Seconds: 0.0);
        var latencies = new List<double>();
        for (var round = 0; round <= s.Rounds; round++)
        {
            // Build every batch first: JSON serialization is the agent's work, not the silo's.
            var batches = streams.Select(st => Enumerable.Range(0, s.BatchesPerRound).Select(_ => st.NextBatch(s.BatchSize)).ToList()).ToList();
            var jsonChars = batches.SelectMany(b => b).SelectMany(b => b.Deltas).Sum(d => (long)(d.Json?.Length ?? 0));
            var deltaCount = batches.SelectMany(b => b).Sum(b => (long)b.Deltas.Count);
            GC.Collect();
            var roundLatencies = new List<double>[streams.Count];
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(streams.Select(async (st, i) =>
            {
                roundLatencies[i] = [];
                foreach (var batch in batches[i])
                {
                    var sent = Stopwatch.GetTimestamp();
                    var result = await st.Grain.ApplyDeltasAsync(batch);
                    roundLatencies[i].Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    if (result.ResyncRequired || result.Errors.Count > 0 || result.Applied != batch.Deltas.Count)
                    {
                        failed = true;
                        output.WriteLine($"   {st.ClusterId}: applied {result.Applied}/{batch.Deltas.Count}, resync={result.ResyncRequired}, errors: {string.Join("; ", result.Errors.Take(3))}");
                    }
                }
            }));
            watch.Stop();
            var rate = deltaCount / watch.Elapsed.TotalSeconds;
            var all = roundLatencies.SelectMany(l => l).ToList();
            output.WriteLine($"   {(round == 0 ? "warm-up" : $"round {round}")}: {Stats.N(deltaCount)} deltas ({Stats.N(jsonChars / (double)deltaCount)} JSON chars avg) in {Stats.Seconds(watch.Elapsed.TotalSeconds)} " +
                             $"= {Stats.N(rate)} deltas/s; batch p50 {Stats.Ms(Stats.Percentile(all, 50))}, p99 {Stats.Ms(Stats.Percentile(all, 99))}");
            if (round > 0)
            {
                totals = (totals.Deltas + deltaCount, totals.Seconds + watch.Elapsed.TotalSeconds);
                latencies.AddRange(all);
            }
        }

        foreach (var st in streams)
        {
            var status = await st.Grain.GetStatusAsync();
            if (status.LastSequence != st.Sequence || status.Pods != st.LivePods)
            {
                failed = true;
                output.WriteLine($"   {st.ClusterId}: the grain has sequence {status.LastSequence} and {status.Pods} pods; the agent sent {st.Sequence} and has {st.LivePods}");
            }
        }

        output.WriteLine($"   RESULT ingest: {Stats.N(totals.Deltas / totals.Seconds)} pod deltas/s over {s.Rounds} rounds ({s.Clusters} clusters concurrently); " +
                         $"batch of {s.BatchSize} latency p50 {Stats.Ms(Stats.Percentile(latencies, 50))}, p99 {Stats.Ms(Stats.Percentile(latencies, 99))}");
        silo.Log.Report(output);
        return failed ? 1 : 0;
    }

    /// <summary>One cluster's agent: its pods, sequence and session; produces the next batch of churn.</summary>
    private sealed class AgentStream(string clusterId, IClusterGrain grain)
    {
        private readonly Queue<V1Pod> _pending = new();
        private readonly Queue<V1Pod> _bound = new();
        private readonly string _session = Guid.NewGuid().ToString("N");
        private int _nodes;
        private long _ordinal;
        private int _step;

        public string ClusterId { get; } = clusterId;

        public IClusterGrain Grain { get; } = grain;

        public long Sequence { get; private set; }

        public int LivePods => _pending.Count + _bound.Count;

        public async Task SendSnapshotAsync(int nodes, int pods)
        {
            _nodes = nodes;
            var now = DateTime.UtcNow;
            var objects = new List<ClusterObject> { new(ObjectKind.NodePool, KubeObjects.NodePoolJson) };
            objects.AddRange(Enumerable.Range(0, nodes).Select(i => KubeObjects.Object(KubeObjects.Node(ClusterId, i, now))));
            for (var i = 0; i < pods; i++)
            {
                var pod = KubeObjects.Pod(ClusterId, _ordinal++, KubeObjects.NodeName(ClusterId, i % nodes), now);
                _bound.Enqueue(pod);
                objects.Add(KubeObjects.Object(pod));
            }

            var result = await Grain.ResyncAsync(new ClusterSnapshot(_session, Sequence, objects));
            if (result.Errors.Count > 0)
            {
                throw new InvalidOperationException($"{ClusterId}: snapshot rejected: {string.Join("; ", result.Errors.Take(3))}");
            }
        }

        /// <summary>Create, bind, delete in turn: the pod count stays where the snapshot left it.</summary>
        public DeltaBatch NextBatch(int size)
        {
            var deltas = new List<ObjectDelta>(size);
            var now = DateTime.UtcNow;
            while (deltas.Count < size)
            {
                switch (_step++ % 3)
                {
                    case 0:
                        var created = KubeObjects.Pod(ClusterId, _ordinal++, null, now);
                        _pending.Enqueue(created);
                        deltas.Add(KubeObjects.Upsert(++Sequence, created));
                        break;
                    case 1 when _pending.Count > 0:
                        var pending = _pending.Dequeue();
                        var bound = KubeObjects.Pod(ClusterId, OrdinalOf(pending), KubeObjects.NodeName(ClusterId, (int)(_ordinal % _nodes)), now);
                        bound.Metadata.Name = pending.Metadata.Name;
                        bound.Metadata.Uid = pending.Metadata.Uid;
                        _bound.Enqueue(bound);
                        deltas.Add(KubeObjects.Upsert(++Sequence, bound));
                        break;
                    case 2 when _bound.Count > 0:
                        deltas.Add(KubeObjects.Delete(++Sequence, _bound.Dequeue()));
                        break;
                }
            }

            return new DeltaBatch(_session, deltas);
        }

        // The pod's ordinal picks its workload; the resource version records it.
        private static long OrdinalOf(V1Pod pod) => long.Parse(pod.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) - 1_000_000;
    }
}

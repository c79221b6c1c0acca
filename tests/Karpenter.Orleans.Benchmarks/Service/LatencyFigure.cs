using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Simulation;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>
/// Figure 2: pending-to-bound latency of a burst of pods on the simulated fleet, in real time. Three
/// <see cref="SimulatedCluster"/>s (their default NodePools and DaemonSet, no default workloads) are
/// ticked every <c>tick</c> on the wall clock; at once each gets its share of the burst as pending pods.
/// The service batches them with its timers on, solves, launches on the simulated cloud (zero boot
/// delay), the instances join as nodes on the next tick and the cluster's scheduler binds the pods.
/// Per pod latency = bind tick − creation tick, as the simulated cluster records it, so it is quantised
/// to the tick. Where the time goes comes from the service's own telemetry (the <c>provision</c>
/// activity and the scheduling-duration histogram), listened to in process.
/// </summary>
public static class LatencyFigure
{
    private const string TelemetryName = "Karpenter.Orleans";

    public sealed record Settings(int Pods = 1000, int Clusters = 3, TimeSpan? Tick = null, TimeSpan? Timeout = null);

    public static async Task<int> RunAsync(Settings s, TimeSpan idle, TimeSpan max, string label, TextWriter output)
    {
        var tick = s.Tick ?? TimeSpan.FromMilliseconds(100);
        var timeout = s.Timeout ?? TimeSpan.FromSeconds(90);
        output.WriteLine($"== latency ({label}): {s.Pods} pending pods at once over {s.Clusters} simulated clusters, batch idle {idle.TotalMilliseconds} ms / max {max.TotalMilliseconds} ms, " +
                         $"tick every {tick.TotalMilliseconds} ms, boot delay 0");
        TimedCloudProvider? cloud = null;
        await using var silo = await ServiceSilo.StartAsync(
            new Dictionary<string, string?>
            {
                ["Timers"] = "true",
                ["BatchIdleDuration"] = idle.ToString(),
                ["BatchMaxDuration"] = max.ToString(),
            },
            simulated => cloud = new TimedCloudProvider(simulated));

        var clusters = new List<SimulatedCluster>();
        var grains = new List<TimedClusterGrain>();
        for (var i = 0; i < s.Clusters; i++)
        {
            var id = $"burst-{i}";
            var registration = new ClusterRegistration(id, "simulated", i % 2 == 0 ? "us-east-1" : "us-west-2", "111111111111");
            var grain = new TimedClusterGrain(silo.Grains.GetGrain<IClusterGrain>(id));
            grains.Add(grain);
            var cluster = new SimulatedCluster(registration, grain, silo.Cloud, TimeProvider.System,
                new SimulatedClusterSettings { Phase = (double)i / s.Clusters });
            // Keep the default NodePools and DaemonSet, drop the curve-driven workloads: only the burst runs.
            cluster.RemoveAllWorkloads();
            await silo.Grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).RegisterClusterAsync(registration, new string('b', 64));
            await cluster.TickAsync();
            clusters.Add(cluster);
        }

        // The NodePools in the first snapshot open a (podless) batch; let it close before the burst.
        await Task.Delay(idle + idle + TimeSpan.FromMilliseconds(500));

        using var telemetry = new Telemetry();
        for (var i = 0; i < clusters.Count; i++)
        {
            var share = s.Pods / clusters.Count + (i < s.Pods % clusters.Count ? 1 : 0);
            foreach (var (name, cpu, memory, replicas) in Split(share))
            {
                clusters[i].AddWorkload(new SimulatedWorkload(name, Spec(cpu, memory), replicas));
            }
        }

        var burst = DateTimeOffset.UtcNow;
        var firstNode = new DateTimeOffset?[clusters.Count];
        var allBound = new DateTimeOffset?[clusters.Count];
        var deltasSent = new TimeSpan?[clusters.Count];
        var tickTimes = new List<double>();
        using (var timer = new PeriodicTimer(tick))
        {
            while (DateTimeOffset.UtcNow - burst < timeout)
            {
                var started = Stopwatch.GetTimestamp();
                await Task.WhenAll(clusters.Select(async (c, i) =>
                {
                    await c.TickAsync();
                    var now = DateTimeOffset.UtcNow;
                    deltasSent[i] ??= now - burst;
                    if (c.Nodes > 0)
                    {
                        firstNode[i] ??= now;
                    }

                    if (c.PendingPods == 0 && c.BoundPods > 0)
                    {
                        allBound[i] ??= now;
                    }
                }));
                tickTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (allBound.All(b => b is not null))
                {
                    break;
                }

                await timer.WaitForNextTickAsync();
            }
        }

        var latencies = clusters.SelectMany(c => c.BindLatencies).Select(l => l.TotalMilliseconds).ToList();
        var bound = clusters.Sum(c => c.BoundPods);
        output.WriteLine($"   bound {bound}/{s.Pods} pods; nodes {string.Join(", ", clusters.Select(c => $"{c.ClusterId}={c.Nodes}"))}; " +
                         $"simulation tick p50 {Stats.Ms(Stats.Percentile(tickTimes, 50))}, max {Stats.Ms(tickTimes.DefaultIfEmpty(0).Max())}");
        for (var i = 0; i < clusters.Count; i++)
        {
            var id = clusters[i].ClusterId;
            var runs = telemetry.Provisions.Where(p => p.Cluster == id).OrderBy(p => p.Start).ToList();
            var solves = telemetry.Solves.Where(p => p.Cluster == id).Select(p => p.Seconds).ToList();
            var launches = cloud!.Launches.Where(l => l.Cluster == id && l.Start >= burst).ToList();
            double Since(DateTimeOffset? t) => t is { } v ? (v - burst).TotalMilliseconds : double.NaN;
            var runText = string.Join(" | ", runs.Select(r =>
                $"batch closed +{Stats.Ms(Since(r.Start))} ({r.Pending} pending), run ended +{Stats.Ms(Since(r.Start + r.Duration))}"));
            output.WriteLine($"   {id}: pods created +0, deltas in +{Stats.Ms(deltasSent[i]?.TotalMilliseconds ?? double.NaN)}; {runText}; " +
                             $"solve {string.Join(", ", solves.Select(x => Stats.Ms(x * 1000)))}; " +
                             $"{launches.Count} launches from +{Stats.Ms(Since(launches.Select(l => (DateTimeOffset?)l.Start).Min()))} to +{Stats.Ms(Since(launches.Select(l => (DateTimeOffset?)l.End).Max()))}; " +
                             $"first node seen +{Stats.Ms(Since(firstNode[i]))}, all bound +{Stats.Ms(Since(allBound[i]))}");
            var slowest = grains[i].Calls.Where(c => c.Start >= burst).OrderByDescending(c => c.Milliseconds).Take(3).ToList();
            output.WriteLine($"      slowest ApplyDeltasAsync: {string.Join(", ", slowest.Select(c => $"{Stats.Ms(c.Milliseconds)} at +{Stats.Ms(Since(c.Start))} ({c.Deltas} deltas, {c.Nodes} nodes)"))}");
        }

        output.WriteLine($"   NodeClaims created: {telemetry.ClaimsCreated}");
        output.WriteLine($"   RESULT latency ({label}): pending->bound p50 {Stats.Ms(Stats.Percentile(latencies, 50))}, p90 {Stats.Ms(Stats.Percentile(latencies, 90))}, " +
                         $"p99 {Stats.Ms(Stats.Percentile(latencies, 99))}, max {Stats.Ms(latencies.DefaultIfEmpty(double.NaN).Max())} over {latencies.Count} pods");
        silo.Log.Report(output);
        return bound == s.Pods ? 0 : 1;
    }

    /// <summary>A cluster's share as three sizes of pod, like a mix of services scaling out together.</summary>
    private static IEnumerable<(string Name, string Cpu, string Memory, int Replicas)> Split(int share)
    {
        var small = share / 2;
        var medium = share * 3 / 10;
        yield return ("burst-web", "250m", "512Mi", small);
        yield return ("burst-api", "500m", "1Gi", medium);
        yield return ("burst-worker", "1", "2Gi", share - small - medium);
    }

    private static V1PodSpec Spec(string cpu, string memory) => new()
    {
        Containers =
        [
            new V1Container
            {
                Name = "app",
                Image = "registry.example.com/app:1.0",
                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) } },
            },
        ],
        NodeSelector = new Dictionary<string, string> { ["kubernetes.io/arch"] = "amd64" },
    };

    /// <summary>The service's provisioning runs and solve times, heard in process through its ActivitySource and Meter.</summary>
    private sealed class Telemetry : IDisposable
    {
        private readonly ActivityListener _activities;
        private readonly MeterListener _meters = new();
        private long _claims;

        public Telemetry()
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = source => source.Name == TelemetryName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = a =>
                {
                    if (a.OperationName == "provision")
                    {
                        Provisions.Add(new Provision(a.GetTagItem("cluster") as string ?? "?", a.StartTimeUtc, a.Duration, a.GetTagItem("pending_pods") is int n ? n : -1));
                    }
                },
            };
            ActivitySource.AddActivityListener(_activities);
            _meters.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == TelemetryName && instrument.Name is "karpenter_scheduler_scheduling_duration" or "karpenter_nodeclaims_created")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Solves.Add((Cluster(tags), value)));
            _meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _claims, value));
            _meters.Start();
        }

        public ConcurrentBag<Provision> Provisions { get; } = [];

        public ConcurrentBag<(string Cluster, double Seconds)> Solves { get; } = [];

        public long ClaimsCreated => Interlocked.Read(ref _claims);

        private static string Cluster(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "cluster")
                {
                    return tag.Value as string ?? "?";
                }
            }

            return "?";
        }

        public void Dispose()
        {
            _activities.Dispose();
            _meters.Dispose();
        }
    }

    private sealed record Provision(string Cluster, DateTime StartUtc, TimeSpan Duration, int Pending)
    {
        public DateTimeOffset Start => new(StartUtc, TimeSpan.Zero);
    }
}

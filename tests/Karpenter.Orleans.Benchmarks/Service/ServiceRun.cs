using System.Globalization;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>
/// <c>service [ingest|latency|memory|all] [options]</c>: figures of the whole service, a real silo in
/// this process (see docs/benchmarks.md, "Service"). Each figure starts its own silo. Not BenchmarkDotNet:
/// the figures are throughput, latency distributions and memory over seconds of wall time, one run each.
/// </summary>
public static class ServiceRun
{
    private const string Usage = """
        usage: service [ingest|latency|memory|all] [options]
          ingest   pod deltas per second through ApplyDeltasAsync (timers off)
                   --clusters N (4) --nodes N (50) --pods N (1500 per cluster) --batches N (20 per cluster per round) --rounds N (3) --batch-size N (500)
          latency  pending->bound latency of a burst on 3 simulated clusters (timers on); by default twice:
                   Karpenter's batching (1 s idle / 10 s max), then 100 ms idle / 10 s max
                   --pods N (1000) --clusters N (3) --tick-ms N (100) --idle-ms N --max-ms N (one run with this batching)
          memory   heap and RSS of one silo holding many clusters (timers off)
                   --clusters N (100) --nodes N (100) --pods-per-node N (30)
          all      memory, then ingest, then latency (memory first, so its RSS is not inflated by the others)
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        var figure = args.Count > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
        Dictionary<string, int> options;
        try
        {
            options = Parse(args.Skip(figure == (args.Count > 0 ? args[0] : null) ? 1 : 0).ToList());
        }
        catch (FormatException ex)
        {
            output.WriteLine(ex.Message);
            output.WriteLine(Usage);
            return 2;
        }

        int Get(string name, int fallback) => options.TryGetValue(name, out var v) ? v : fallback;

        var failures = 0;
        if (figure is "memory" or "all")
        {
            failures += await MemoryFigure.RunAsync(new MemoryFigure.Settings(
                figure == "memory" ? Get("clusters", 100) : 100, figure == "memory" ? Get("nodes", 100) : 100, Get("pods-per-node", 30)), output);
        }

        if (figure is "ingest" or "all")
        {
            failures += await IngestFigure.RunAsync(new IngestFigure.Settings(
                figure == "ingest" ? Get("clusters", 4) : 4, figure == "ingest" ? Get("nodes", 50) : 50, figure == "ingest" ? Get("pods", 1500) : 1500,
                Get("batches", 20), Get("rounds", 3), Get("batch-size", 500)), output);
        }

        if (figure is "latency" or "all")
        {
            var settings = new LatencyFigure.Settings(
                figure == "latency" ? Get("pods", 1000) : 1000, figure == "latency" ? Get("clusters", 3) : 3, TimeSpan.FromMilliseconds(Get("tick-ms", 100)));
            if (options.ContainsKey("idle-ms") || options.ContainsKey("max-ms"))
            {
                var idle = TimeSpan.FromMilliseconds(Get("idle-ms", 1000));
                var max = TimeSpan.FromMilliseconds(Get("max-ms", 10_000));
                failures += await LatencyFigure.RunAsync(settings, idle, max, $"{idle.TotalMilliseconds} ms idle / {max.TotalMilliseconds} ms max", output);
            }
            else
            {
                failures += await LatencyFigure.RunAsync(settings, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), "Karpenter batching 1 s idle / 10 s max", output);
                failures += await LatencyFigure.RunAsync(settings, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), "short batching 100 ms idle / 10 s max", output);
            }
        }

        if (figure is not ("memory" or "ingest" or "latency" or "all"))
        {
            output.WriteLine($"unknown figure '{figure}'");
            output.WriteLine(Usage);
            return 2;
        }

        return failures == 0 ? 0 : 1;
    }

    private static Dictionary<string, int> Parse(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count
                || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                throw new FormatException($"expected '--name N' (N > 0) at '{arg}'");
            }

            options[arg[2..]] = value;
            i++;
        }

        return options;
    }
}

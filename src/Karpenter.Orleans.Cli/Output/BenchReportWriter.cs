using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>Prints a <see cref="BenchReport"/> as a two-column table or as JSON.</summary>
internal static class BenchReportWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, NewLine = "\n" };

    public static void WriteTable(BenchReport report, TextWriter writer)
    {
        var table = new TableWriter("FIGURE", "VALUE");
        table.AddRow("workload", $"{report.Workload} (seed {report.Seed})");
        table.AddRow("pods", Figures.Integer(report.Pods));
        table.AddRow("scheduled", Figures.Integer(report.Scheduled));
        table.AddRow("unschedulable", Figures.Integer(report.Unschedulable));
        table.AddRow("node claims", Figures.Integer(report.NodeClaims));
        table.AddRow("$/hour", Figures.Price(report.PricePerHour));
        table.AddRow("greedy $/hour", Figures.Price(report.GreedyPricePerHour));
        table.AddRow("LP lower bound $/hour", Figures.Price(report.LowerBoundPerHour));
        table.AddRow("gap to lower bound", Figures.Percent(report.GapPercent));
        table.AddRow("per-group packing $/hour", Figures.Price(report.PerGroupPerHour));
        table.AddRow("Karpenter first fit $/hour", Figures.Price(report.FirstFitPerHour));
        table.AddRow("build workload", Figures.Seconds(report.BuildSeconds));
        table.AddRow("warm-up run", Figures.Seconds(report.WarmupSeconds));
        table.AddRow("timed runs", string.Join(", ", report.RunSeconds.Select(Figures.Seconds)));
        table.AddRow("best", $"{Figures.Seconds(report.BestSeconds)} ({Figures.Rate(report.PodsPerSecondBest)} pods/s)");
        table.AddRow("median", $"{Figures.Seconds(report.MedianSeconds)} ({Figures.Rate(report.PodsPerSecondMedian)} pods/s)");
        table.AddRow("CPU per timed run", string.Join(", ", report.RunCpuSeconds.Select(Figures.Seconds)));
        table.AddRow("CPU best / median", $"{Figures.Seconds(report.BestCpuSeconds)} / {Figures.Seconds(report.MedianCpuSeconds)}");
        table.AddRow("run with lower bound", Figures.Seconds(report.LowerBoundRunSeconds));
        table.AddRow("allocated per run", Figures.Bytes(report.AllocatedBytesPerRun));
        table.AddRow("peak working set", Figures.Bytes(report.PeakWorkingSetBytes));
        table.AddRow("GC heap after runs", Figures.Bytes(report.GcHeapBytes));
        table.Write(writer);
    }

    public static string WriteJson(BenchReport report)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("workload", report.Workload);
            json.WriteNumber("seed", report.Seed);
            json.WriteNumber("pods", report.Pods);
            json.WriteNumber("scheduled", report.Scheduled);
            json.WriteNumber("unschedulable", report.Unschedulable);
            json.WriteNumber("nodeClaims", report.NodeClaims);
            json.WriteNumber("pricePerHour", Figures.Round(report.PricePerHour));
            WriteOptional(json, "greedyPricePerHour", report.GreedyPricePerHour);
            WriteOptional(json, "lowerBoundPerHour", report.LowerBoundPerHour);
            WriteOptional(json, "gapPercent", report.GapPercent);
            WriteOptional(json, "perGroupPricePerHour", report.PerGroupPerHour);
            WriteOptional(json, "firstFitPricePerHour", report.FirstFitPerHour);
            json.WriteNumber("buildSeconds", Figures.Round(report.BuildSeconds));
            json.WriteNumber("warmupSeconds", Figures.Round(report.WarmupSeconds));
            json.WriteStartArray("runSeconds");
            foreach (var seconds in report.RunSeconds)
            {
                json.WriteNumberValue(Figures.Round(seconds));
            }

            json.WriteEndArray();
            json.WriteNumber("bestSeconds", Figures.Round(report.BestSeconds));
            json.WriteNumber("medianSeconds", Figures.Round(report.MedianSeconds));
            json.WriteStartArray("runCpuSeconds");
            foreach (var seconds in report.RunCpuSeconds)
            {
                json.WriteNumberValue(Figures.Round(seconds));
            }

            json.WriteEndArray();
            json.WriteNumber("bestCpuSeconds", Figures.Round(report.BestCpuSeconds));
            json.WriteNumber("medianCpuSeconds", Figures.Round(report.MedianCpuSeconds));
            WriteOptional(json, "podsPerSecondBest", report.PodsPerSecondBest);
            WriteOptional(json, "podsPerSecondMedian", report.PodsPerSecondMedian);
            json.WriteNumber("lowerBoundRunSeconds", Figures.Round(report.LowerBoundRunSeconds));
            json.WriteNumber("allocatedBytesPerRun", report.AllocatedBytesPerRun);
            json.WriteNumber("peakWorkingSetBytes", report.PeakWorkingSetBytes);
            json.WriteNumber("gcHeapBytes", report.GcHeapBytes);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, Figures.Round(v));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

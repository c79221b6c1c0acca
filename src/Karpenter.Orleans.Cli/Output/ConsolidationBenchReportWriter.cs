using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>Prints a <see cref="ConsolidationBenchReport"/> as a two-column table or as JSON.</summary>
internal static class ConsolidationBenchReportWriter
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, NewLine = "\n" };

    public static void WriteTable(ConsolidationBenchReport report, TextWriter writer)
    {
        var table = new TableWriter("FIGURE", "VALUE");
        table.AddRow("workload", $"scale-in on the {report.Workload} catalog (seed {report.Seed}, {Figures.Integer(report.NodesRequested)} nodes asked, scale-in {Ratio(report.ScaleIn)})");
        table.AddRow("pods before / deleted / left", $"{Figures.Integer(report.PodsBefore)} / {Figures.Integer(report.PodsDeleted)} / {Figures.Integer(report.PodsRemaining)}");
        table.AddRow("nodes before", Figures.Integer(report.NodesBefore));
        table.AddRow("candidates", Figures.Integer(report.Candidates));
        foreach (var (method, actions, nodes) in report.ActionsByMethod)
        {
            table.AddRow($"actions: {method}", $"{Figures.Integer(actions)} ({Figures.Integer(nodes)} nodes)");
        }

        table.AddRow("replacements launched", Figures.Integer(report.Replacements));
        table.AddRow("nodes after", Figures.Integer(report.NodesAfter));
        table.AddRow("nodes left blocked", Figures.Integer(report.Blocked));
        table.AddRow("$/hour before", Figures.Price(report.PricePerHourBefore));
        table.AddRow("$/hour after", Figures.Price(report.PricePerHourAfter));
        table.AddRow("$/hour fresh solve of the pods left", $"{Figures.Price(report.FreshPricePerHour)} ({Figures.Integer(report.FreshNodeClaims)} node claims, {Figures.Integer(report.FreshUnschedulable)} unschedulable)");
        table.AddRow("after ÷ fresh", $"{Ratio(report.AfterOverFresh)} (target ≤ 1.100)");
        table.AddRow("generate cluster", Figures.Seconds(report.GenerateSeconds));
        table.AddRow("fresh solve", Figures.Seconds(report.FreshSolveSeconds));
        table.AddRow("plan, cold", $"{Figures.Seconds(report.ColdPlanSeconds)} (target < 10 s at 2,000 nodes)");
        table.AddRow("plan, cold, CPU", Figures.Seconds(report.ColdPlanCpuSeconds));
        table.AddRow("plan, warm runs", string.Join(", ", report.WarmPlanSeconds.Select(Figures.Seconds)));
        table.AddRow("plan, warm runs, CPU", string.Join(", ", report.WarmPlanCpuSeconds.Select(Figures.Seconds)));
        table.AddRow("plan, warm median", Figures.Seconds(report.WarmPlanMedianSeconds));
        table.AddRow("peak working set", Figures.Bytes(report.PeakWorkingSetBytes));
        table.Write(writer);
    }

    public static string WriteJson(ConsolidationBenchReport report)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("workload", report.Workload);
            json.WriteNumber("seed", report.Seed);
            json.WriteNumber("nodesRequested", report.NodesRequested);
            json.WriteNumber("scaleIn", report.ScaleIn);
            json.WriteNumber("podsBefore", report.PodsBefore);
            json.WriteNumber("podsDeleted", report.PodsDeleted);
            json.WriteNumber("podsRemaining", report.PodsRemaining);
            json.WriteNumber("nodesBefore", report.NodesBefore);
            json.WriteNumber("candidates", report.Candidates);
            json.WriteStartObject("actionsByMethod");
            foreach (var (method, actions, nodes) in report.ActionsByMethod)
            {
                json.WriteStartObject(method);
                json.WriteNumber("actions", actions);
                json.WriteNumber("nodes", nodes);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteNumber("replacements", report.Replacements);
            json.WriteNumber("nodesAfter", report.NodesAfter);
            json.WriteNumber("blocked", report.Blocked);
            json.WriteNumber("pricePerHourBefore", Figures.Round(report.PricePerHourBefore));
            json.WriteNumber("pricePerHourAfter", Figures.Round(report.PricePerHourAfter));
            json.WriteNumber("freshPricePerHour", Figures.Round(report.FreshPricePerHour));
            json.WriteNumber("freshNodeClaims", report.FreshNodeClaims);
            json.WriteNumber("freshUnschedulable", report.FreshUnschedulable);
            if (double.IsFinite(report.AfterOverFresh))
            {
                json.WriteNumber("afterOverFresh", Figures.Round(report.AfterOverFresh));
            }
            else
            {
                json.WriteNull("afterOverFresh");
            }

            json.WriteNumber("generateSeconds", Figures.Round(report.GenerateSeconds));
            json.WriteNumber("freshSolveSeconds", Figures.Round(report.FreshSolveSeconds));
            json.WriteNumber("coldPlanSeconds", Figures.Round(report.ColdPlanSeconds));
            json.WriteStartArray("warmPlanSeconds");
            foreach (var seconds in report.WarmPlanSeconds)
            {
                json.WriteNumberValue(Figures.Round(seconds));
            }

            json.WriteEndArray();
            json.WriteNumber("warmPlanMedianSeconds", Figures.Round(report.WarmPlanMedianSeconds));
            json.WriteNumber("coldPlanCpuSeconds", Figures.Round(report.ColdPlanCpuSeconds));
            json.WriteStartArray("warmPlanCpuSeconds");
            foreach (var seconds in report.WarmPlanCpuSeconds)
            {
                json.WriteNumberValue(Figures.Round(seconds));
            }

            json.WriteEndArray();
            json.WriteNumber("peakWorkingSetBytes", report.PeakWorkingSetBytes);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Ratio(double value) =>
        double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
}

using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>
/// Writes a <see cref="SchedulingResult"/> as the <c>karpo simulate -o json</c> contract (docs/cli.md).
/// Written field by field rather than serialised, so the field order and names are the contract's and
/// never drift with the model's records.
/// </summary>
internal static class SimulationJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Same bytes on every OS.
        NewLine = "\n",
        // The output is never embedded in HTML; keep label keys and reasons readable (no \u002B and the like).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(SchedulingResult result, double solveSeconds, bool includeLowerBound, FirstFitPlan? karpenter = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            WriteNodeClaims(json, result.NodeClaims);
            WriteExistingNodes(json, result.ExistingNodes);
            WriteUnschedulable(json, result.Unschedulable);
            WriteSummary(json, result.Summary, solveSeconds, includeLowerBound, karpenter);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNodeClaims(Utf8JsonWriter json, IReadOnlyList<PlannedNodeClaim> claims)
    {
        json.WriteStartArray("nodeClaims");
        foreach (var claim in claims)
        {
            json.WriteStartObject();
            json.WriteString("name", claim.Name);
            json.WriteString("nodePool", claim.NodePool);
            json.WriteString("instanceType", claim.InstanceType);
            json.WriteString("zone", claim.Zone);
            json.WriteString("capacityType", claim.CapacityType);
            json.WriteNumber("pricePerHour", Figures.Round(claim.PricePerHour));
            WriteStrings(json, "instanceTypeOptions", claim.InstanceTypeOptions);

            json.WriteStartObject("labels");
            foreach (var (key, value) in claim.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();

            json.WriteStartArray("taints");
            foreach (var taint in claim.Taints)
            {
                json.WriteStartObject();
                json.WriteString("key", taint.Key);
                if (taint.Value is not null)
                {
                    json.WriteString("value", taint.Value);
                }

                json.WriteString("effect", taint.Effect);
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartObject("requests");
            foreach (var (name, quantity) in claim.Requests.ToQuantityStrings())
            {
                json.WriteString(name, quantity);
            }

            json.WriteEndObject();

            WriteStrings(json, "pods", claim.Pods);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteExistingNodes(Utf8JsonWriter json, IReadOnlyList<ExistingNodePlacement> placements)
    {
        json.WriteStartArray("existingNodes");
        foreach (var placement in placements)
        {
            json.WriteStartObject();
            json.WriteString("name", placement.Name);
            WriteStrings(json, "pods", placement.Pods);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteUnschedulable(Utf8JsonWriter json, IReadOnlyList<UnschedulablePod> pods)
    {
        json.WriteStartArray("unschedulable");
        foreach (var pod in pods)
        {
            json.WriteStartObject();
            json.WriteString("pod", pod.Pod);
            json.WriteString("reason", pod.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteSummary(Utf8JsonWriter json, SchedulingSummary summary, double solveSeconds, bool includeLowerBound, FirstFitPlan? karpenter)
    {
        json.WriteStartObject("summary");
        json.WriteNumber("pods", summary.Pods);
        json.WriteNumber("scheduled", summary.Scheduled);
        json.WriteNumber("unschedulable", summary.Unschedulable);
        json.WriteNumber("nodeClaims", summary.NodeClaims);
        json.WriteNumber("pricePerHour", Figures.Round(summary.PricePerHour));
        json.WriteNumber("solveSeconds", Figures.Round(solveSeconds));
        if (includeLowerBound)
        {
            WriteOptional(json, "lowerBoundPerHour", summary.LowerBoundPerHour);
            WriteOptional(json, "gapPercent", summary.GapPercent);
        }

        // Absent when not computed (simulate leaves it out when nodes or claims exist: not comparable).
        if (karpenter is not null)
        {
            var saving = KarpenterComparison.Saving(summary, karpenter);
            json.WriteStartObject("karpenterFirstFit");
            json.WriteNumber("nodeClaims", karpenter.NodeClaims);
            json.WriteNumber("scheduled", karpenter.Scheduled);
            json.WriteNumber("pricePerHour", Figures.Round(karpenter.PricePerHour));
            json.WriteNumber("savingPerHour", Figures.Round(saving.PerHour));
            WriteOptional(json, "savingPercent", saving.Percent);
            json.WriteStartArray("launches");
            foreach (var launch in karpenter.Launches)
            {
                json.WriteStartObject();
                json.WriteString("nodePool", launch.NodePool);
                json.WriteString("instanceType", launch.InstanceType);
                json.WriteString("zone", launch.Zone);
                json.WriteString("capacityType", launch.CapacityType);
                json.WriteNumber("nodes", launch.Nodes);
                json.WriteNumber("pricePerHour", Figures.Round(launch.PricePerHour));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    // Null when the solver did not compute it, or when it is not finite (JSON has no NaN or Infinity).
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

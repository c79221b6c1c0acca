using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Karpenter.Orleans.Scheduling.Disruption;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>
/// Writes a <see cref="DisruptionPlan"/> as the <c>karpo simulate --consolidate -o json</c> contract
/// (docs/cli.md), field by field so names and order are the contract's, not the records'.
/// </summary>
internal static class ConsolidationJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(DisruptionPlan plan)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteStartArray("actions");
            foreach (var action in plan.Actions)
            {
                WriteAction(json, action);
            }

            json.WriteEndArray();

            json.WriteStartArray("blocked");
            foreach (var blocked in plan.Blocked)
            {
                json.WriteStartObject();
                json.WriteString("node", blocked.Node);
                json.WriteString("reason", blocked.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();

            json.WriteStartObject("summary");
            json.WriteNumber("pricePerHourBefore", Figures.Round(plan.Summary.PricePerHourBefore));
            json.WriteNumber("pricePerHourAfter", Figures.Round(plan.Summary.PricePerHourAfter));
            json.WriteNumber("savingPerHour", Figures.Round(plan.Summary.SavingPerHour));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteAction(Utf8JsonWriter json, DisruptionAction action)
    {
        json.WriteStartObject();
        json.WriteString("method", DisruptionNames.Method(action.Method));
        json.WriteString("kind", DisruptionNames.Kind(action.Kind));
        json.WriteStartArray("nodes");
        foreach (var node in action.Nodes)
        {
            json.WriteStringValue(node);
        }

        json.WriteEndArray();

        // The contract's single "replacement" for the usual one-claim replace; drift may need several.
        if (action.Replacements.Count == 1)
        {
            json.WritePropertyName("replacement");
            WriteReplacement(json, action.Replacements[0]);
        }
        else if (action.Replacements.Count > 1)
        {
            json.WriteStartArray("replacements");
            foreach (var claim in action.Replacements)
            {
                WriteReplacement(json, claim);
            }

            json.WriteEndArray();
        }

        json.WriteNumber("savingPerHour", Figures.Round(action.SavingPerHour));
        json.WriteStartArray("moves");
        foreach (var move in action.Moves)
        {
            json.WriteStartObject();
            json.WriteString("pod", move.Pod);
            json.WriteString("to", move.To);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteReplacement(Utf8JsonWriter json, PlannedNodeClaim claim)
    {
        json.WriteStartObject();
        // Beyond design.md's four fields: the name a move's "to" refers to.
        json.WriteString("name", claim.Name);
        json.WriteString("instanceType", claim.InstanceType);
        json.WriteString("zone", claim.Zone);
        json.WriteString("capacityType", claim.CapacityType);
        json.WriteNumber("pricePerHour", Figures.Round(claim.PricePerHour));
        json.WriteEndObject();
    }
}

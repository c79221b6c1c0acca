using System.Text.Json.Nodes;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Output;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The table of <c>karpo nodeclasses</c>: one row per node class with what its provider resolved (how many subnets,
/// security groups and images) and, when it is not ready, why. Reads the provider's status object by the field names
/// Karpenter's <c>EC2NodeClass</c> status has; a provider without node classes shows <c>-</c>.
/// </summary>
internal static class NodeClassTable
{
    public static void Write(IReadOnlyList<NodeClassInfo> nodeClasses, string clusterId, TextWriter writer)
    {
        if (nodeClasses.Count == 0)
        {
            writer.WriteLine($"Cluster '{clusterId}' has no node classes.");
            return;
        }

        var table = new TableWriter("NAME", "KIND", "READY", "SUBNETS", "SECURITY GROUPS", "AMIS", "REASON");
        foreach (var n in nodeClasses.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            table.AddRow(
                FleetFormat.Text(n.Name),
                FleetFormat.Text(n.Kind),
                n.Ready switch { true => "True", false => "False", null => "-" },
                Count(n.Status, "subnets"),
                Count(n.Status, "securityGroups"),
                Count(n.Status, "amis"),
                FleetFormat.Text(n.StatusError ?? Reason(n.Status)));
        }

        table.Write(writer);
        writer.WriteLine();
        var ready = nodeClasses.Count(n => n.Ready == true);
        var notReady = nodeClasses.Count(n => n.Ready == false);
        writer.WriteLine($"{FleetFormat.Count(nodeClasses.Count)} node class{(nodeClasses.Count == 1 ? "" : "es")}: {FleetFormat.Count(ready)} ready, {FleetFormat.Count(notReady)} not ready");
    }

    private static string Count(JsonNode? status, string field) =>
        status is JsonObject o && o[field] is JsonArray items ? FleetFormat.Count(items.Count) : "-";

    /// <summary>The first false condition other than Ready (Ready repeats them all), else Ready's, as reason: message.</summary>
    private static string? Reason(JsonNode? status)
    {
        if (status is not JsonObject o || o["conditions"] is not JsonArray conditions)
        {
            return null;
        }

        var failing = conditions.OfType<JsonObject>().Where(c => Text(c["status"]) == "False").ToList();
        var first = failing.FirstOrDefault(c => Text(c["type"]) != "Ready") ?? failing.FirstOrDefault();
        return first is null ? null : $"{Text(first["reason"])}: {Text(first["message"])}";
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

namespace Karpenter.Orleans.Fuzz;

/// <summary>Tokens the mutator splices in: each format's syntax, the values that break number parsing, and field names.</summary>
internal static class FuzzTokens
{
    private static readonly string[] Numbers =
    [
        "0", "-0", "-1", "1e30", "1e400", "-1e400", "1.5e-400", "99999999999999999999999", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "2147483648", "0.000000000000000000001", "NaN", "Infinity", "0x10",
    ];

    public static readonly IReadOnlyList<string> Json =
    [
        "{", "}", "[", "]", ":", ",", "\"", "\\", "null", "true", "false", "\"\"", "{}", "[]", "\"\\u0000\"", "\"\\ud800\"",
        "\"\\uDFFF\\uD800\"", "/*", "*/", "//", "\u00a0", "\ufeff",
        "\"clusterId\":", "\"provider\":", "\"region\":", "\"account\":", "\"spendCapPerHour\":", "\"displayName\":",
        "\"agentSession\":", "\"sequence\":", "\"objects\":", "\"deltas\":", "\"kind\":", "\"json\":", "\"type\":", "\"name\":",
        "\"namespace\":", "\"pricePerHour\":", "\"vcpus\":", "\"pod\"", "\"node\"", "\"nodePool\"", "\"daemonSet\"",
        "\"podDisruptionBudget\"", "\"upsert\"", "\"delete\"", "\"zones\":", "\"instanceTypes\":", "\"allocatable\":",
        "\"capacity\":", "\"offerings\":", "\"price\":", "\"onDemandPricePerHour\":", "\"labels\":", "\"cpu\":", "\"memory\":",
        "\"resources\":", "\"requests\":", "\"500m\"", "\"4Gi\"", "\"-6\"", "\"1e30\"", "\"99999999999999999999999\"", .. Numbers,
    ];

    public static readonly IReadOnlyList<string> Yaml =
    [
        "\n", "---\n", "...\n", "- ", ": ", "? ", "#", "&a ", "*a", "&b ", "*b", "<<: *a\n", "<<: [*a, *b]\n", "!!str ", "!!int ",
        "!!binary ", "!!map ", "!!seq ", "!custom ", "|\n", ">-\n", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "\t", "'", "\"",
        "{", "}", "[", "]", ",", "~", "null", "true", "yes", "\"\\x00\"", "\u0085", "\u2028", "\ufeff",
        "apiVersion: v1\n", "apiVersion: karpenter.sh/v1\n", "apiVersion: apps/v1\n", "kind: Pod\n", "kind: Node\n",
        "kind: NodePool\n", "kind: Deployment\n", "kind: DaemonSet\n", "kind: StatefulSet\n", "kind: Job\n", "kind: ReplicaSet\n",
        "metadata:\n  name: x\n", "spec:\n", "template:\n", "containers:\n", "resources:\n", "requests:\n", "limits:\n",
        "cpu: ", "memory: ", "replicas: ", "requirements:\n", "operator: In\n", "values: [", "nodeSelector:\n", "taints:\n",
        "tolerations:\n", "topologySpreadConstraints:\n", "maxSkew: ", "disruption:\n", "consolidateAfter: ", "expireAfter: ",
        "budgets:\n", "nodes: ", "weight: ", "\"500m\"", "4Gi", "-4Gi", "1Ei", "1e30", "720h", "Never", .. Numbers,
    ];
}

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>One rule of deploy/prometheus/alerts.yml.</summary>
internal sealed record PrometheusRule(
    string Group,
    string? Alert,
    string? Record,
    string? Expr,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations)
{
    public string Name => Alert ?? Record ?? "(unnamed)";
}

/// <summary>The rules file, read once.</summary>
internal static class PrometheusRules
{
    public const string RulesPath = "deploy/prometheus/alerts.yml";

    private static readonly Lazy<IReadOnlyList<PrometheusRule>> LazyAll = new(() => Parse(OpsFiles.Read(RulesPath)));

    public static IReadOnlyList<PrometheusRule> All => LazyAll.Value;

    public static IEnumerable<PrometheusRule> Alerts => All.Where(rule => rule.Alert is not null);

    /// <summary>The names recording rules define, which alerts and dashboards may read.</summary>
    public static IReadOnlySet<string> RecordingRuleNames =>
        All.Where(rule => rule.Record is not null).Select(rule => rule.Record!).ToHashSet(StringComparer.Ordinal);

    public static IReadOnlyList<PrometheusRule> Parse(string yaml)
    {
        var documents = OpsFiles.ParseYamlDocuments(yaml);
        Assert.True(documents.Count == 1, $"{RulesPath}: expected one YAML document");
        var root = OpsFiles.AsMap(documents[0], RulesPath);
        var groups = root.List("groups");
        Assert.True(groups.Count > 0, $"{RulesPath}: no groups");

        var rules = new List<PrometheusRule>();
        foreach (var groupNode in groups)
        {
            var group = OpsFiles.AsMap(groupNode, $"{RulesPath}: group");
            var groupName = group.Str("name") ?? throw new Xunit.Sdk.XunitException($"{RulesPath}: a group has no name");
            foreach (var ruleNode in group.List("rules"))
            {
                var rule = OpsFiles.AsMap(ruleNode, $"{RulesPath}: group {groupName}: rule");
                rules.Add(new PrometheusRule(
                    groupName,
                    rule.Str("alert"),
                    rule.Str("record"),
                    rule.Str("expr"),
                    Strings(rule.Map("labels")),
                    Strings(rule.Map("annotations"))));
            }
        }

        return rules;
    }

    private static Dictionary<string, string> Strings(Dictionary<object, object?>? map) =>
        map?.ToDictionary(pair => (string)pair.Key, pair => pair.Value as string ?? string.Empty, StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);
}

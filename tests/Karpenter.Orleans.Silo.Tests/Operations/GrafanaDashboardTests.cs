using System.Text.Json;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>deploy/grafana: valid dashboards over known metrics, and the provisioning that loads them.</summary>
public sealed class GrafanaDashboardTests
{
    public static TheoryData<string> Dashboards => new() { "executive.json", "oncall.json", "debug.json" };

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_is_valid_json_with_a_title_uid_and_unique_panel_ids(string file)
    {
        using var dashboard = Load(file);
        var root = dashboard.RootElement;

        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()), $"{file}: no title");
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("uid").GetString()), $"{file}: no uid");
        var panels = AllPanels(root).ToList();
        Assert.NotEmpty(panels);
        var ids = panels.Select(panel => panel.GetProperty("id").GetInt32()).ToList();
        var repeated = ids.GroupBy(id => id).Where(group => group.Count() > 1).Select(group => group.Key).ToList();
        Assert.True(repeated.Count == 0, $"{file}: panel ids used twice: {string.Join(", ", repeated)}");
        foreach (var panel in panels)
        {
            Assert.False(string.IsNullOrWhiteSpace(panel.GetProperty("title").GetString()), $"{file}: panel {panel.GetProperty("id")} has no title");
            Assert.True(panel.TryGetProperty("gridPos", out _), $"{file}: panel {panel.GetProperty("id")} has no gridPos");
            Assert.True(panel.TryGetProperty("type", out _), $"{file}: panel {panel.GetProperty("id")} has no type");
        }
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_has_a_cluster_variable_its_queries_use(string file)
    {
        using var dashboard = Load(file);
        var variables = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();

        Assert.Contains(variables, variable => variable.GetProperty("name").GetString() == "cluster");
        Assert.Contains(Queries(dashboard.RootElement), query => query.Expr.Contains("$cluster", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Every_query_reads_only_known_metrics(string file)
    {
        using var dashboard = Load(file);
        var recordingRules = PrometheusRules.RecordingRuleNames;
        var problems = new List<string>();

        foreach (var (where, expr, isVariable) in Queries(dashboard.RootElement))
        {
            var names = isVariable ? PromQl.MetricNamesOfVariableQuery(expr) : PromQl.MetricNames(expr);
            if (!isVariable && names.Count == 0)
            {
                problems.Add($"{file}: {where}: the query reads no metric: {expr}");
            }

            problems.AddRange(names.Where(name => !KnownMetrics.IsKnown(name, recordingRules))
                .Select(name => $"{file}: {where}: unknown metric {name}"));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Provisioning_declares_the_prometheus_datasource_and_the_dashboard_folder()
    {
        var datasources = Directory.GetFiles(OpsFiles.PathOf("deploy/grafana/provisioning/datasources"), "*.yml");
        Assert.NotEmpty(datasources);
        var declared = datasources
            .Select(path => OpsFiles.ReadYamlMap(Path.GetRelativePath(OpsFiles.Root, path)))
            .SelectMany(config => config.List("datasources"))
            .Select(node => OpsFiles.AsMap(node, "datasource"))
            .ToList();
        Assert.Contains(declared, datasource => datasource.Str("type") == "prometheus" && datasource.Str("url") is { Length: > 0 });

        var providers = Directory.GetFiles(OpsFiles.PathOf("deploy/grafana/provisioning/dashboards"), "*.yml")
            .Select(path => OpsFiles.ReadYamlMap(Path.GetRelativePath(OpsFiles.Root, path)))
            .SelectMany(config => config.List("providers"))
            .Select(node => OpsFiles.AsMap(node, "provider"))
            .ToList();
        Assert.Contains(providers, provider => provider.Str("type") == "file" && provider.At("options", "path") is string { Length: > 0 });
    }

    private static JsonDocument Load(string file)
    {
        var text = OpsFiles.Read("deploy/grafana/dashboards/" + file);
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException error)
        {
            throw new Xunit.Sdk.XunitException($"{file}: not valid JSON: {error.Message}");
        }
    }

    private static IEnumerable<JsonElement> AllPanels(JsonElement root)
    {
        if (!root.TryGetProperty("panels", out var panels))
        {
            yield break;
        }

        foreach (var panel in panels.EnumerateArray())
        {
            yield return panel;
            foreach (var nested in AllPanels(panel))
            {
                yield return nested;
            }
        }
    }

    private static IEnumerable<(string Where, string Expr, bool IsVariable)> Queries(JsonElement root)
    {
        foreach (var panel in AllPanels(root))
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            foreach (var target in targets.EnumerateArray())
            {
                if (target.TryGetProperty("expr", out var expr) && expr.GetString() is { Length: > 0 } text)
                {
                    yield return ($"panel {panel.GetProperty("id")} '{panel.GetProperty("title")}' {target.GetProperty("refId")}", text, false);
                }
            }
        }

        foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() != "query" || !variable.TryGetProperty("query", out var query))
            {
                continue;
            }

            var text = query.ValueKind == JsonValueKind.Object ? query.GetProperty("query").GetString() : query.GetString();
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return ($"variable {variable.GetProperty("name")}", text, true);
            }
        }
    }
}

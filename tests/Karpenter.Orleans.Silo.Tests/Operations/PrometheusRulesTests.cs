using System.Text.RegularExpressions;
using Karpenter.Orleans.Grains.Telemetry;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>deploy/prometheus/alerts.yml: well-formed rules, known metrics, runbooks that exist, SLO coverage.</summary>
public sealed partial class PrometheusRulesTests
{
    private static readonly HashSet<string> Severities = new(StringComparer.Ordinal) { "critical", "warning", "info" };

    [Fact]
    public void Every_rule_is_well_formed_reads_known_metrics_and_links_an_existing_runbook()
    {
        var problems = Problems(PrometheusRules.All);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Alert_and_recording_rule_names_are_unique()
    {
        var duplicates = PrometheusRules.All
            .GroupBy(rule => rule.Alert is null ? "record " + rule.Record : "alert " + rule.Alert)
            .Where(group => group.Count() > 1)
            .Select(group => group.Key)
            .ToList();

        Assert.True(duplicates.Count == 0, "defined twice: " + string.Join(", ", duplicates));
    }

    [Theory]
    [InlineData("provisioning-success")]
    [InlineData("pod-scheduling-latency")]
    public void Each_SLO_has_multiwindow_multi_burn_rate_alerts(string slo)
    {
        var alerts = PrometheusRules.Alerts.Where(rule => rule.Labels.GetValueOrDefault("slo") == slo).ToList();

        // 14.4x over 1h and 5m, 6x over 6h and 30m, against a 1% budget.
        Assert.Contains(alerts, rule => Mentions(rule.Expr, "14.4", "rate1h", "rate5m") && rule.Labels["severity"] == "critical");
        Assert.Contains(alerts, rule => Mentions(rule.Expr, "6 * 0.01", "rate6h", "rate30m") && rule.Labels["severity"] == "critical");
    }

    [Theory]
    [InlineData(MetricNames.SchedulerQueueDepth)]
    [InlineData(MetricNames.ProvisioningAttempts)]
    [InlineData(MetricNames.SpotInterruptions)]
    [InlineData(MetricNames.ReconcileDuration)]
    [InlineData(MetricNames.AgentLag)]
    [InlineData(MetricNames.ClusterSpendCap)]
    [InlineData(MetricNames.FleetSpendCap)]
    [InlineData(MetricNames.ClusterCost)]
    [InlineData(MetricNames.CloudProviderErrors)]
    [InlineData(MetricNames.NodeClaimsTerminated)]
    public void An_alert_watches_each_operational_signal(string metric)
    {
        // An alert reads the metric either directly or through a recording rule built on it.
        var recordingRulesOnMetric = PrometheusRules.All
            .Where(rule => rule.Record is not null && ReadsTransitively(rule, metric))
            .Select(rule => rule.Record!)
            .ToHashSet(StringComparer.Ordinal);

        Assert.Contains(PrometheusRules.Alerts, alert =>
            PromQl.MetricNames(alert.Expr ?? string.Empty).Any(name => name == metric || recordingRulesOnMetric.Contains(name)));
    }

    [Fact]
    public void Prometheus_config_loads_the_rules_and_scrapes_both_silos()
    {
        var config = OpsFiles.ReadYamlMap("deploy/prometheus/prometheus.yml");

        Assert.Contains(config.List("rule_files").OfType<string>(), file => file.EndsWith("alerts.yml", StringComparison.Ordinal));
        var targets = config.List("scrape_configs")
            .Select(node => OpsFiles.AsMap(node, "scrape_config"))
            .Where(job => job.Str("job_name") == "karpo-silo")
            .SelectMany(job => job.List("static_configs"))
            .SelectMany(node => OpsFiles.AsMap(node, "static_config").List("targets").OfType<string>())
            .ToList();
        Assert.Contains("silo-1:5080", targets);
        Assert.Contains("silo-2:5080", targets);
    }

    /// <summary>What is wrong with <paramref name="rules"/>, one line per problem (empty when all is well).</summary>
    internal static List<string> Problems(IReadOnlyList<PrometheusRule> rules)
    {
        var problems = new List<string>();
        var recorded = rules.Where(rule => rule.Record is not null).Select(rule => rule.Record!).ToHashSet(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            var where = $"{PrometheusRules.RulesPath}: {rule.Group}/{rule.Name}";
            if ((rule.Alert is null) == (rule.Record is null))
            {
                problems.Add($"{where}: needs exactly one of alert and record");
            }

            if (string.IsNullOrWhiteSpace(rule.Expr))
            {
                problems.Add($"{where}: no expr");
                continue;
            }

            var metrics = PromQl.MetricNames(rule.Expr);
            if (metrics.Count == 0)
            {
                problems.Add($"{where}: expr reads no metric");
            }

            problems.AddRange(metrics.Where(name => !KnownMetrics.IsKnown(name, recorded))
                .Select(name => $"{where}: unknown metric {name} (not in MetricNames, not a recording rule here)"));

            if (rule.Record is not null && !RecordingRuleName().IsMatch(rule.Record))
            {
                problems.Add($"{where}: recording rule name should be level:metric:operations");
            }

            if (rule.Alert is null)
            {
                continue;
            }

            if (!rule.Labels.TryGetValue("severity", out var severity) || !Severities.Contains(severity))
            {
                problems.Add($"{where}: labels.severity must be one of {string.Join(", ", Severities)}");
            }

            foreach (var annotation in new[] { "summary", "description", "runbook_url" })
            {
                if (string.IsNullOrWhiteSpace(rule.Annotations.GetValueOrDefault(annotation)))
                {
                    problems.Add($"{where}: annotations.{annotation} missing");
                }
            }

            var url = rule.Annotations.GetValueOrDefault("runbook_url") ?? string.Empty;
            var runbook = RunbookUrl().Match(url);
            if (!runbook.Success)
            {
                problems.Add($"{where}: runbook_url '{url}' does not point at docs/runbooks/<file>.md");
            }
            else if (!File.Exists(OpsFiles.PathOf("docs/runbooks/" + runbook.Groups["file"].Value)))
            {
                problems.Add($"{where}: runbook docs/runbooks/{runbook.Groups["file"].Value} does not exist");
            }
        }

        return problems;
    }

    /// <summary>The runbook file an alert links, or null.</summary>
    internal static string? RunbookFile(PrometheusRule alert)
    {
        var match = RunbookUrl().Match(alert.Annotations.GetValueOrDefault("runbook_url") ?? string.Empty);
        return match.Success ? match.Groups["file"].Value : null;
    }

    private static bool Mentions(string? expr, params string[] parts) =>
        expr is not null && parts.All(part => expr.Contains(part, StringComparison.Ordinal));

    private static bool ReadsTransitively(PrometheusRule rule, string metric, int depth = 0)
    {
        if (depth > 10 || rule.Expr is null)
        {
            return false;
        }

        return PromQl.MetricNames(rule.Expr).Any(name =>
            name == metric || name.StartsWith(metric + "_", StringComparison.Ordinal) ||
            PrometheusRules.All.Any(other => other.Record == name && ReadsTransitively(other, metric, depth + 1)));
    }

    [GeneratedRegex(@"/docs/runbooks/(?<file>[a-z0-9][a-z0-9-]*\.md)$")]
    private static partial Regex RunbookUrl();

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*:[a-z0-9_]+:[a-z0-9_]+$")]
    private static partial Regex RecordingRuleName();
}

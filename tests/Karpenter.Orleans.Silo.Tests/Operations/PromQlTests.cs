namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>The metric-name checks the other operations tests rely on catch what they must.</summary>
public sealed class PromQlTests
{
    private static readonly IReadOnlySet<string> NoRules = new HashSet<string>();

    [Fact]
    public void Lists_metric_names_and_skips_functions_labels_durations_and_variables()
    {
        const string Expr = """
            histogram_quantile(0.99, sum by (cluster, le) (rate(karpo_reconcile_duration_seconds_bucket{cluster=~"$cluster", le!="x"}[$__rate_interval])))
              > on (cluster) group_left (region) max_over_time(karpo:agent_lag_seconds:max[1d] offset 1h) * 1.5e3
              and ignoring (le) up{job="karpo-silo"} == bool 1
            """;

        Assert.Equal(["karpo_reconcile_duration_seconds_bucket", "karpo:agent_lag_seconds:max", "up"], PromQl.MetricNames(Expr));
    }

    [Fact]
    public void A_typo_in_a_metric_name_is_unknown()
    {
        Assert.Equal(["karpo_agent_lag_secnds"], KnownMetrics.Unknown("max by (cluster) (karpo_agent_lag_secnds) > 120", NoRules));
        Assert.Equal(["karpentr_scheduler_queue_depth"], KnownMetrics.Unknown("karpentr_scheduler_queue_depth > 0", NoRules));
    }

    [Fact]
    public void Histogram_series_of_exported_metrics_are_known_but_not_of_counters()
    {
        Assert.Empty(KnownMetrics.Unknown("rate(karpo_pod_scheduling_latency_seconds_bucket[5m]) / rate(karpo_pod_scheduling_latency_seconds_count[5m])", NoRules));
        Assert.Equal(["karpo_provisioning_attempts_total_bucket"], KnownMetrics.Unknown("karpo_provisioning_attempts_total_bucket", NoRules));
    }

    [Fact]
    public void Recording_rules_are_known_only_when_defined()
    {
        Assert.Equal(["karpo:nothing:here"], KnownMetrics.Unknown("karpo:nothing:here > 1", NoRules));
        Assert.Empty(KnownMetrics.Unknown("karpo:nothing:here > 1", new HashSet<string> { "karpo:nothing:here" }));
    }

    [Fact]
    public void Grafana_label_values_reads_only_the_selector()
    {
        Assert.Equal(["karpenter_scheduler_queue_depth"], PromQl.MetricNamesOfVariableQuery("label_values(karpenter_scheduler_queue_depth, cluster)"));
        Assert.Empty(PromQl.MetricNamesOfVariableQuery("label_values(cluster)"));
    }

    [Fact]
    public void MetricNames_constants_are_read_by_reflection()
    {
        Assert.Contains("karpo_agent_lag_seconds", KnownMetrics.Exported);
        Assert.Contains("karpenter_nodeclaims_created_total", KnownMetrics.Exported);
        Assert.True(KnownMetrics.Exported.Count >= 20, $"only {KnownMetrics.Exported.Count} constants found");
    }

    [Fact]
    public void A_rule_with_a_misspelt_metric_fails_the_rules_check()
    {
        const string Yaml = """
            groups:
              - name: g
                rules:
                  - alert: X
                    expr: karpo_cluster_cost_per_hourr > 1
                    labels: { severity: warning }
                    annotations: { summary: s, description: d, runbook_url: https://x/docs/runbooks/cost-spike.md }
            """;

        var problems = PrometheusRulesTests.Problems(PrometheusRules.Parse(Yaml));

        Assert.Contains(problems, problem => problem.Contains("karpo_cluster_cost_per_hourr", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_without_severity_or_runbook_fails_the_rules_check()
    {
        const string Yaml = """
            groups:
              - name: g
                rules:
                  - alert: X
                    expr: up == 0
                    annotations: { summary: s, description: d, runbook_url: https://x/docs/runbooks/no-such-runbook.md }
            """;

        var problems = PrometheusRulesTests.Problems(PrometheusRules.Parse(Yaml));

        Assert.Contains(problems, problem => problem.Contains("severity", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("no-such-runbook.md", StringComparison.Ordinal));
    }
}

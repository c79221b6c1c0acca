using System.Text.Json;
using System.Text.RegularExpressions;
using Karpenter.Orleans.Grains.Telemetry;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>deploy/kubernetes/base/monitoring: Prometheus Operator objects that scrape the silos and carry the alert rules unchanged.</summary>
public sealed partial class MonitoringManifestTests
{
    private const string Folder = "deploy/kubernetes/base/monitoring";

    [Fact]
    public void The_PrometheusRule_carries_exactly_the_rules_of_alerts_yml()
    {
        var rule = OpsFiles.ReadYamlMap($"{Folder}/prometheusrule.yaml");
        Assert.Equal("monitoring.coreos.com/v1", rule.Str("apiVersion"));
        Assert.Equal("PrometheusRule", rule.Str("kind"));
        var alerts = OpsFiles.ReadYamlMap(PrometheusRules.RulesPath);

        var inRule = Canonical(OpsFiles.AsMap(rule["spec"], "spec")["groups"]);
        var inAlerts = Canonical(alerts["groups"]);
        Assert.True(inRule == inAlerts,
            $"{Folder}/prometheusrule.yaml differs from {PrometheusRules.RulesPath}: run python3 {Folder}/generate-prometheusrule.py");
    }

    [Fact]
    public void The_ServiceMonitor_scrapes_the_silo_services_metrics_port()
    {
        var monitor = OpsFiles.ReadYamlMap($"{Folder}/servicemonitor.yaml");
        var service = OpsFiles.ReadYamlMap("deploy/kubernetes/base/silo/service.yaml");
        Assert.Equal("ServiceMonitor", monitor.Str("kind"));

        var selector = OpsFiles.AsMap(monitor.At("spec", "selector", "matchLabels"), "spec.selector.matchLabels");
        var labels = OpsFiles.AsMap(service.At("metadata", "labels"), "service labels");
        Assert.All(selector, pair => Assert.Equal(pair.Value, labels.GetValueOrDefault(pair.Key)));

        var endpoint = OpsFiles.AsMap(Assert.Single(OpsFiles.AsMap(monitor["spec"], "spec").List("endpoints")), "endpoint");
        var ports = OpsFiles.AsMap(service["spec"], "service spec").List("ports").Select(p => OpsFiles.AsMap(p, "port").Str("name"));
        Assert.Contains(endpoint.Str("port"), ports);
        Assert.Equal("/metrics", endpoint.Str("path"));

        var kustomization = OpsFiles.ReadYamlMap($"{Folder}/kustomization.yaml");
        Assert.Equal(["servicemonitor.yaml", "prometheusrule.yaml"], kustomization.List("resources").OfType<string>().ToArray());
    }

    [Fact]
    public void Launch_failure_reasons_in_alert_tests_and_dashboards_are_ones_the_service_emits()
    {
        var texts = new[] { "deploy/prometheus/alerts.test.yml" }
            .Concat(Directory.GetFiles(OpsFiles.PathOf("deploy/grafana/dashboards"), "*.json").Select(f => Path.GetRelativePath(OpsFiles.Root, f)))
            .Select(f => (File: f, Text: OpsFiles.Read(f)));
        var used = new List<(string File, string Reason)>();
        foreach (var (file, text) in texts)
        {
            used.AddRange(AttemptReason().Matches(text).Select(m => (file, m.Groups[1].Value)));
        }

        Assert.NotEmpty(used);
        var unknown = used.Where(u => !LaunchFailureReasons.All.Contains(u.Reason)).ToList();
        Assert.True(unknown.Count == 0, string.Join(", ", unknown.Select(u => $"{u.File}: reason=\"{u.Reason}\"")));
    }

    private static string Canonical(object? node) => JsonSerializer.Serialize(Normalize(node));

    private static object? Normalize(object? node) => node switch
    {
        Dictionary<object, object?> map => map.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal)
            .ToDictionary(p => p.Key.ToString()!, p => Normalize(p.Value), StringComparer.Ordinal),
        List<object?> list => list.Select(Normalize).ToList(),
        string s => s.TrimEnd('\n'),
        _ => node,
    };

    [GeneratedRegex("karpo_provisioning_attempts_total\\{[^}]*reason=\\\\?\"([^\"\\\\]+)\\\\?\"", RegexOptions.CultureInvariant)]
    private static partial Regex AttemptReason();
}

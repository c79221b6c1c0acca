using System.Text.Json;
using System.Text.RegularExpressions;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Silo.Api;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>
/// Karpenter's dashboards read these families by name and group them by these labels: a silo running its
/// simulated fleet must serve every one of them on /metrics, with Karpenter's label names.
/// </summary>
public sealed partial class KarpenterMetricFamiliesTests
{
    private static readonly Dictionary<string, string[]> Wanted = new(StringComparer.Ordinal)
    {
        [MetricNames.NodesAllocatable] = ["cluster", "node_name", "nodepool", "resource_type", "instance_type", "capacity_type", "zone", "arch", "os"],
        [MetricNames.NodesTotalPodRequests] = ["cluster", "node_name", "nodepool", "resource_type", "instance_type", "capacity_type", "zone"],
        [MetricNames.NodesTotalDaemonRequests] = ["cluster", "node_name", "nodepool", "resource_type"],
        [MetricNames.NodesSystemOverhead] = ["cluster", "node_name", "nodepool", "resource_type"],
        [MetricNames.PodsState] = ["cluster", "name", "namespace", "owner", "node", "nodepool", "zone", "arch", "capacity_type", "instance_type", "phase"],
        [MetricNames.CloudProviderDuration + "_bucket"] = ["controller", "method", "provider"],
        [MetricNames.InstanceTypeCpuCores] = ["instance_type"],
        [MetricNames.InstanceTypeMemoryBytes] = ["instance_type"],
        [MetricNames.InstanceTypeOfferingAvailable] = ["instance_type", "capacity_type", "zone"],
        [MetricNames.InstanceTypeOfferingPriceEstimate] = ["instance_type", "capacity_type", "zone"],
        [MetricNames.BuildInfo] = ["version", "commit"],
        [MetricNames.NodeClaimsTerminationDuration + "_count"] = ["nodepool"],
    };

    [Fact]
    public async Task A_running_fleet_serves_every_Karpenter_family_with_Karpenters_labels()
    {
        await using var silo = new ConfiguredSiloFactory(new Dictionary<string, string?>
        {
            ["Karpo:SimulatedFleet:Enabled"] = "true",
            ["Karpo:SimulatedFleet:Mode"] = "InProcess",
            // Enough replicas that every PodDisruptionBudget allows an eviction: at 0.1 the web app ran one replica,
            // its minAvailable 50% then never let it go, and the deleted claim below stayed draining (as Karpenter's would).
            ["Karpo:SimulatedFleet:Scale"] = "0.5",
            ["Karpo:SimulatedFleet:WorkloadPeriod"] = "06:00:00",
            ["Karpo:SimulatedCloud:BootDelay"] = "00:00:01",
            ["Karpo:SimulatedCloud:ShutdownDelay"] = "00:00:01",
            ["Karpo:Dashboard:Enabled"] = "false",
        });
        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await StartFailingLaunchesAsync(silo, admin);

        // Wait for a node with pods on it, then delete its claim so a termination is measured.
        var claim = await WaitForAsync(async () =>
        {
            using var doc = JsonDocument.Parse(await read.GetStringAsync("/api/v1/nodeclaims"));
            return doc.RootElement.EnumerateArray()
                .Where(c => string.Equals(c.GetProperty("phase").GetString(), "Initialized", StringComparison.OrdinalIgnoreCase))
                .Select(c => (Cluster: c.GetProperty("clusterId").GetString()!, Name: c.GetProperty("name").GetString()!))
                .FirstOrDefault();
        }, c => c.Name is not null, () => "an initialized NodeClaim");
        using (var deleted = await admin.DeleteAsync($"/api/v1/clusters/{claim.Cluster}/nodeclaims/{claim.Name}"))
        {
            Assert.True(deleted.IsSuccessStatusCode, $"DELETE nodeclaim {claim.Cluster}/{claim.Name}: {deleted.StatusCode}");
        }

        var missing = new List<string>();
        var series = await WaitForAsync(async () => Parse(await read.GetStringAsync("/metrics")),
            s =>
            {
                missing = [.. Wanted.Keys.Where(k => !s.ContainsKey(k))];
                if (s.TryGetValue(MetricNames.PodsState, out var podSeries) && !podSeries.Any(l => l["node"] != ""))
                {
                    missing.Add(MetricNames.PodsState + " on a node");
                }

                // "Launch failures by reason" (dashboards, alert tests) groups by this label: the refused launch must carry it.
                if (!s.TryGetValue(MetricNames.ProvisioningAttempts, out var attempts)
                    || !attempts.Any(l => l.GetValueOrDefault("cluster") == QuotaCluster && l.GetValueOrDefault("result") == "failure" && l.GetValueOrDefault("reason") == LaunchFailureReasons.QuotaExceeded))
                {
                    missing.Add($"{MetricNames.ProvisioningAttempts}{{cluster=\"{QuotaCluster}\", result=\"failure\", reason=\"{LaunchFailureReasons.QuotaExceeded}\"}}");
                }

                return missing.Count == 0;
            },
            () => $"every Karpenter family (missing: {string.Join(", ", missing)}; NodeClaim {claim.Cluster}/{claim.Name} deleted)");

        foreach (var (family, labels) in Wanted)
        {
            var first = series[family][0];
            var lacking = labels.Where(l => !first.ContainsKey(l)).ToList();
            Assert.True(lacking.Count == 0, $"{family} lacks labels {string.Join(", ", lacking)}: {string.Join(", ", first.Keys)}");
        }

        // Values a dashboard shows: cpu in cores, memory in bytes, one series per pod, a build of 1.
        var cpu = series[MetricNames.NodesAllocatable].Where(l => l["resource_type"] == "cpu").Select(l => double.Parse(l["__value"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(cpu);
        Assert.All(cpu, v => Assert.InRange(v, 0.5, 1000));
        var memory = series[MetricNames.NodesAllocatable].Where(l => l["resource_type"] == "memory").Select(l => double.Parse(l["__value"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(memory, v => Assert.True(v > 64 * 1024 * 1024, $"memory {v} is not in bytes"));
        Assert.Contains(series[MetricNames.CloudProviderDuration + "_bucket"], l => l["method"] == "Create" && l["controller"] == "nodeclaim.lifecycle" && l["provider"] == "simulated");
        Assert.Contains(series[MetricNames.CloudProviderDuration + "_bucket"], l => l["method"] == "Delete" && l["controller"] == "nodeclaim.termination");
        Assert.Equal("1", series[MetricNames.BuildInfo].Single()["__value"]);
        var pods = series[MetricNames.PodsState];
        Assert.Equal(pods.Count, pods.Select(l => (l["cluster"], l["namespace"], l["name"])).Distinct().Count());

        AlertTestSeriesUseOnlyEmittedLabels(series);
    }

    /// <summary>
    /// The series alerts.test.yml feeds promtool carry only label names the service really puts on those metrics
    /// (and Prometheus' job and instance), so alerts that pass there match what a silo serves.
    /// </summary>
    private static void AlertTestSeriesUseOnlyEmittedLabels(Dictionary<string, List<Dictionary<string, string>>> scraped)
    {
        var test = OpsFiles.ReadYamlMap("deploy/prometheus/alerts.test.yml");
        var checkedNames = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var input in test.List("tests").Select(t => OpsFiles.AsMap(t, "test")).SelectMany(t => t.List("input_series")))
        {
            var text = OpsFiles.AsMap(input, "input series").Str("series")!;
            var m = SampleLine().Match(text + " 0");
            Assert.True(m.Success, $"alerts.test.yml: cannot read series {text}");
            var name = m.Groups["name"].Value;
            if (!scraped.TryGetValue(name, out var served))
            {
                continue;
            }

            checkedNames.Add(name);
            var emitted = served.SelectMany(l => l.Keys).ToHashSet(StringComparer.Ordinal);
            var extra = LabelPair().Matches(m.Groups["labels"].Value).Select(p => p.Groups[1].Value)
                .Where(l => l is not ("job" or "instance") && !emitted.Contains(l)).ToList();
            if (extra.Count > 0)
            {
                problems.Add($"{text}: the service never puts {string.Join(", ", extra)} on {name}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Subset(checkedNames, new HashSet<string>(StringComparer.Ordinal)
        {
            MetricNames.ProvisioningAttempts, MetricNames.ClusterCost, MetricNames.ClusterSpendCap, MetricNames.Nodes,
        });
    }

    private const string QuotaCluster = "metrics-no-quota";

    /// <summary>A cluster of an account whose vCPU quotas are 0, with a pod to launch for: every launch is refused by the quota ledger.</summary>
    private static async Task StartFailingLaunchesAsync(ConfiguredSiloFactory silo, HttpClient admin)
    {
        var token = await admin.RegisterAsync(QuotaCluster);
        foreach (var code in new[] { QuotaCodes.OnDemandStandard, QuotaCodes.SpotStandard })
        {
            using var quota = await admin.PutJsonAsync($"/api/v1/quotas/simulated/111122223333/us-east-1/{code}", new QuotaLimitRequest(0));
            Assert.True(quota.IsSuccessStatusCode, $"quota {code}: {quota.StatusCode}");
        }

        using (var cap = await admin.PutJsonAsync($"/api/v1/clusters/{QuotaCluster}/spend-cap", new SpendCapRequest(5)))
        {
            Assert.True(cap.IsSuccessStatusCode, $"spend cap: {cap.StatusCode}");
        }

        using var agent = silo.CreateClient(token);
        var nodePool = new ClusterObject(ObjectKind.NodePool, """
            {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "default"},
             "spec": {"template": {"spec": {"requirements": [{"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["m", "c"]}]}}}}
            """);
        using var put = await agent.PutJsonAsync($"/api/v1/clusters/{QuotaCluster}/state", ApiJson.Snapshot(nodePool, ApiJson.PendingPod("refused-0")));
        Assert.True(put.IsSuccessStatusCode, $"state: {put.StatusCode}");
    }

    /// <summary>Series by metric name, each as its labels plus "__value".</summary>
    private static Dictionary<string, List<Dictionary<string, string>>> Parse(string exposition)
    {
        var result = new Dictionary<string, List<Dictionary<string, string>>>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n'))
        {
            var m = SampleLine().Match(line);
            if (!m.Success)
            {
                continue;
            }

            var labels = LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(p => p.Groups[1].Value, p => p.Groups[2].Value, StringComparer.Ordinal);
            labels["__value"] = m.Groups["value"].Value;
            if (!result.TryGetValue(m.Groups["name"].Value, out var list))
            {
                result[m.Groups["name"].Value] = list = [];
            }

            list.Add(labels);
        }

        return result;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, Func<string> what)
    {
        var last = default(T)!;
        for (var attempt = 0; attempt < 240; attempt++)
        {
            last = await read();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"gave up waiting for {what()} after 2 min");
        return last;
    }

    [GeneratedRegex(@"^(?<name>[a-z_:][a-z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex SampleLine();

    [GeneratedRegex("([a-z_][a-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPair();
}

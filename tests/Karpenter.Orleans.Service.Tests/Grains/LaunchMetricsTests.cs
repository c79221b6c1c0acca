using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Grains.Telemetry;
using Karpenter.Orleans.Service.Tests.TestSupport;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>
/// What "Launch failures by reason" and Karpenter's cloud provider and termination panels read: a failed
/// launch names its reason, a cloud error its controller and method, a deletion its duration.
/// </summary>
public sealed class LaunchMetricsTests
{
    [Fact]
    public async Task A_launch_out_of_capacity_counts_a_failure_with_the_clouds_reason()
    {
        var cluster = "launch-metrics-ice";
        using var seen = new Recorder(cluster);
        await using var service = await ServiceCluster.StartAsync();
        service.Cloud.InjectInsufficientCapacity("m5.large", "us-east-1a", "on-demand");

        await service.Grains.GetGrain<INodeClaimGrain>($"{cluster}/default-ice").CreateAsync(Spec(cluster, "default-ice"));

        var attempt = Assert.Single(seen.Of(MetricNames.ProvisioningAttempts));
        Assert.Equal("failure", attempt["result"]);
        Assert.Equal(nameof(CloudErrorCode.InsufficientCapacity), attempt["reason"]);
        Assert.Contains(attempt["reason"], LaunchFailureReasons.All);
        var error = Assert.Single(seen.Of(MetricNames.CloudProviderErrors));
        Assert.Equal(("nodeclaim.lifecycle", "Create", "simulated", "InsufficientCapacity"), (error["controller"], error["method"], error["provider"], error["error"]));
    }

    [Fact]
    public async Task A_refused_launch_counts_the_refusal_code_as_its_reason()
    {
        var cluster = "launch-metrics-deny";
        using var seen = new Recorder(cluster);
        await using var service = await ServiceCluster.StartAsync();
        service.Cloud.FailAllCalls(CloudErrorCode.Unauthorized, "not authorized to perform ec2:CreateFleet");

        await service.Grains.GetGrain<INodeClaimGrain>($"{cluster}/default-deny").CreateAsync(Spec(cluster, "default-deny"));

        Assert.Equal(nameof(CloudErrorCode.Unauthorized), Assert.Single(seen.Of(MetricNames.ProvisioningAttempts))["reason"]);
    }

    [Fact]
    public async Task A_deleted_claim_records_its_termination_duration_and_successes_carry_no_reason()
    {
        var cluster = "launch-metrics-delete";
        using var seen = new Recorder(cluster);
        await using var service = await ServiceCluster.StartAsync();
        var claim = service.Grains.GetGrain<INodeClaimGrain>($"{cluster}/default-del");
        await claim.CreateAsync(Spec(cluster, "default-del"));
        await claim.DeleteAsync("deleted by a test");

        var attempt = Assert.Single(seen.Of(MetricNames.ProvisioningAttempts));
        Assert.Equal("success", attempt["result"]);
        Assert.False(attempt.ContainsKey("reason"));
        var termination = Assert.Single(seen.Of(MetricNames.NodeClaimsTerminationDuration));
        Assert.Equal("default", termination["nodepool"]);
        Assert.InRange(double.Parse(termination["__value"], System.Globalization.CultureInfo.InvariantCulture), 0, 3600);
    }

    private static NodeClaimSpec Spec(string cluster, string name) =>
        new(cluster, name, "default", "simulated", "us-east-1", TestObjects.Account,
            [new OfferingOption("m5.large", "us-east-1a", "on-demand", 0.096)],
            new Dictionary<string, string>(), [], 1000, 1 << 30, []);

    /// <summary>The service's measurements of one cluster, by exported metric name (the silos run in this process).</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Metric, Dictionary<string, string> Tags)> _seen = new();

        public Recorder(string cluster)
        {
            var wanted = new Dictionary<Instrument, string>
            {
                [KarpoTelemetry.ProvisioningAttempts] = MetricNames.ProvisioningAttempts,
                [KarpoTelemetry.CloudProviderErrors] = MetricNames.CloudProviderErrors,
                [KarpoTelemetry.NodeClaimsTerminationDuration] = MetricNames.NodeClaimsTerminationDuration,
            };
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (wanted.ContainsKey(instrument))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            void Record(Instrument instrument, string value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                var map = new Dictionary<string, string>(StringComparer.Ordinal) { ["__value"] = value };
                foreach (var tag in tags)
                {
                    map[tag.Key] = tag.Value?.ToString() ?? "";
                }

                if (map.GetValueOrDefault("cluster") == cluster)
                {
                    _seen.Enqueue((wanted[instrument], map));
                }
            }

            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v.ToString(System.Globalization.CultureInfo.InvariantCulture), tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v.ToString(System.Globalization.CultureInfo.InvariantCulture), tags));
            _listener.Start();
        }

        public List<Dictionary<string, string>> Of(string metric) => _seen.Where(s => s.Metric == metric).Select(s => s.Tags).ToList();

        public void Dispose() => _listener.Dispose();
    }
}

using System.Diagnostics.Metrics;
using System.Reflection;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>The registry times every provider call and must never hide what a provider implements.</summary>
public sealed class MeteredCloudProviderTests
{
    [Fact]
    public void Every_provider_member_is_forwarded_by_the_decorator_itself()
    {
        // A member left to its interface default would answer the default (null quotas, no regions)
        // instead of the provider's own implementation.
        var map = typeof(MeteredCloudProvider).GetInterfaceMap(typeof(ICloudProvider));
        var notForwarded = map.TargetMethods.Where(m => m.DeclaringType != typeof(MeteredCloudProvider)).Select(m => m.Name).ToList();
        Assert.True(notForwarded.Count == 0, "not forwarded: " + string.Join(", ", notForwarded));
        Assert.Equal(typeof(ICloudProvider).GetMethods(BindingFlags.Public | BindingFlags.Instance).Length, map.InterfaceMethods.Length);
    }

    [Fact]
    public async Task The_registry_answers_with_the_providers_own_members_and_records_each_call()
    {
        var recorded = new List<(string Method, string Controller, string Provider)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CloudProviderMetrics.MeterName && instrument.Name == "karpenter_cloudprovider_duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            var all = tags.ToArray();
            string Tag(string key) => all.Single(t => t.Key == key).Value as string ?? "";
            lock (recorded)
            {
                recorded.Add((Tag("method"), Tag("controller"), Tag("provider")));
            }
        });
        listener.Start();

        var registry = new CloudProviderRegistry([new QuotaCloud()]);
        var cloud = registry.Get(QuotaCloud.ProviderName);
        using (CloudProviderMetrics.Caller("quota"))
        {
            Assert.Equal(64, (await cloud.GetVcpuQuotasAsync("123456789012", "eu-test-1"))!["L-1216C47A"]);
        }

        Assert.Equal(["eu-test-1"], (await cloud.GetRegionsAsync())!);
        await Assert.ThrowsAsync<CloudProviderException>(() => cloud.TerminateAsync("eu-test-1", "i-1"));

        lock (recorded)
        {
            Assert.Contains(("GetVcpuQuotas", "quota", QuotaCloud.ProviderName), recorded);
            Assert.Contains(("GetRegions", CloudProviderMetrics.UnknownController, QuotaCloud.ProviderName), recorded);
            // A failed call is timed too: slow failures are what the histogram is for.
            Assert.Contains(("Delete", CloudProviderMetrics.UnknownController, QuotaCloud.ProviderName), recorded);
        }
    }

    /// <summary>A provider that overrides the interface's default members and refuses terminations.</summary>
    private sealed class QuotaCloud : ICloudProvider
    {
        public const string ProviderName = "quota-cloud";

        public string Name => ProviderName;

        public Task<IReadOnlyList<string>?> GetRegionsAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<string>?>(["eu-test-1"]);

        public Task<IReadOnlyDictionary<string, int>?> GetVcpuQuotasAsync(string account, string region, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<string, int>?>(new Dictionary<string, int> { ["L-1216C47A"] = 64 });

        public Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default) =>
            Task.FromResult(new InstanceTypeCatalog([], []));

        public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default) =>
            throw new CloudProviderException(CloudErrorCode.Unauthorized, "no launches here");

        public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
            Task.FromResult<CloudInstance?>(null);

        public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<CloudInstance>>([]);

        public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
            throw new CloudProviderException(CloudErrorCode.Unauthorized, "not allowed to terminate " + instanceId);

        public Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<CloudInterruption>>([]);
    }
}

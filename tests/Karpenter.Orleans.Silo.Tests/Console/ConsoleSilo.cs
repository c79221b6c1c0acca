using System.Globalization;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Console;

/// <summary>
/// The real silo on Kestrel (a browser needs a real socket) with its simulated fleet running, pages that
/// reload every two seconds and a fleet snapshot and charts refreshed every second. Shared by the console's browser tests.
/// Beside the simulated fleet it has spend caps and one cluster, <see cref="OpsCluster"/>, whose pod no instance type fits,
/// so the pages show caps and a pod pending with its reason.
/// </summary>
public sealed class ConsoleSilo : IAsyncLifetime
{
    private readonly int _port = FreePorts.Next();
    private ConfiguredSiloFactory? _factory;

    public string BaseUrl => $"http://127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The cluster with a pod that stays pending; its spend cap is <see cref="OpsClusterCap"/>.</summary>
    public const string OpsCluster = "console-ops";

    public const string HugePod = "huge-0";

    public const double OpsClusterCap = 0.75;

    public const double FleetCap = 0.25;

    public ConfiguredSiloFactory Factory => _factory ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _factory = new ConfiguredSiloFactory(new Dictionary<string, string?>
        {
            ["urls"] = BaseUrl,
            ["Karpo:SimulatedFleet:Enabled"] = "true",
            ["Karpo:SimulatedFleet:Mode"] = "InProcess",
            ["Karpo:SimulatedFleet:Scale"] = "0.1",
            ["Karpo:SimulatedFleet:WorkloadPeriod"] = "06:00:00",
            ["Karpo:SimulatedCloud:BootDelay"] = "00:00:01",
            ["Karpo:SimulatedCloud:ShutdownDelay"] = "00:00:01",
            ["Karpo:Console:RefreshSeconds"] = "2",
            ["Karpo:Console:HistoryInterval"] = "00:00:01",
            ["Karpo:Console:SnapshotInterval"] = "00:00:01",
            ["Karpo:Dashboard:Enabled"] = "false",
        });
        _factory.UseKestrel();
        _factory.StartServer();

        using var admin = _factory.CreateClient(KarpoSiloFactory.AdminToken);
        var agentToken = await admin.RegisterAsync(OpsCluster);
        await SucceedsAsync(admin.PutJsonAsync($"/api/v1/clusters/{OpsCluster}/spend-cap", new SpendCapRequest(OpsClusterCap)), "cluster spend cap");
        await SucceedsAsync(admin.PutJsonAsync("/api/v1/fleet/spend-cap", new SpendCapRequest(FleetCap)), "fleet spend cap");
        using var agent = _factory.CreateClient(agentToken);
        var nodePool = new ClusterObject(ObjectKind.NodePool,
            """{"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "default"}, "spec": {"template": {"spec": {"requirements": []}}}}""");
        await SucceedsAsync(agent.PutJsonAsync($"/api/v1/clusters/{OpsCluster}/state", ApiJson.Snapshot(nodePool, ApiJson.PendingPod(HugePod, cpu: "4000"))), "the ops cluster's state");
    }

    private static async Task SucceedsAsync(Task<HttpResponseMessage> request, string what)
    {
        using var response = await request;
        Assert.True(response.IsSuccessStatusCode, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

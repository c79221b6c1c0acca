using Xunit.Abstractions;
using static Karpenter.Orleans.Fault.Tests.FaultSuite;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>
/// Scenario (b): two silo processes on PostgreSQL (membership and grain state in one fresh schema) sharing one
/// simulated cloud state file, like two pods of a deployment on one EC2 account. Silo B is killed at fault
/// points while A lives on; each run uses a new cluster whose agent talks to B, so B does the work when it
/// dies. Then (c) on PostgreSQL: the database becomes unreachable for a while (a proxy between the silos and
/// the server is cut) and comes back.
/// </summary>
public sealed class PostgresFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = TempFolder("postgres");
    private readonly InvariantReport _report = new("postgres");
    private readonly List<TestAgent> _agents = [];
    private readonly List<SiloProcess> _silos = [];
    private PostgresSchema _schema = null!;
    private TcpCutProxy _proxy = null!;
    private Karpenter.Orleans.CloudProviders.Simulated.SimulatedCloudProvider _cloud = null!;
    private readonly string _clusterId = "fault-" + Guid.NewGuid().ToString("n")[..8];

    public async Task InitializeAsync()
    {
        _schema = await PostgresSchema.CreateAsync();
        _proxy = new TcpCutProxy(_schema.Server.Host!, _schema.Server.Port);
        _cloud = Cloud(Path.Combine(_dir, "cloud", "simulated-cloud.json"));
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _proxy.DisposeAsync();
        await _schema.DisposeAsync();
        _report.Write(output);
        output.WriteLine($"silo folders: {_dir}");
    }

    [Fact]
    public async Task Two_PostgreSQL_silos_one_killed_at_fault_points_and_the_database_gone_for_a_while_keep_every_invariant()
    {
        // cluster.provision.after-index-stored is left to the SQLite scenario: a cluster grain is activated by the
        // fleet grain's registration call, and Orleans places it on the fleet grain's silo, A, which never dies here.
        string[] plan = Long
            ? [.. LaunchPoints.Where(p => p != ProvisionAfterIndexStored), .. DeletionPoints]
            : [LaunchAfterCloudCall, DeleteAfterCloudTerminate, LaunchAfterBind];

        var a = await StartAsync("a", null, null);
        var b = await StartAsync("b", plan[0], null);
        for (var run = 0; run < plan.Length; run++)
        {
            var point = plan[run];
            using var registrar = new KarpoApi(b.Address, AdminToken);
            var agent = new TestAgent($"{_clusterId}-{run}", Region, await registrar.RegisterClusterAsync($"{_clusterId}-{run}", Region));
            _agents.Add(agent);
            agent.AddNodePool();
            bool killed;
            if (DeletionPoints.Contains(point) && point != OrphanBeforeTerminate)
            {
                // Launched and joined on B first; then the node goes and B deletes its claim.
                agent.AddPendingPods(2);
                await Recovery.RecordAsync(_report, output, "b: PostgreSQL, before the kill", point, null, b.Address, _cloud, _agents, _silos);
                await RemoveRegisteredNodeAsync(b, agent);
            }
            else if (point == OrphanBeforeTerminate)
            {
                await LaunchGhostAsync(_cloud, agent.ClusterId, $"ghost-{run}");
            }
            else
            {
                agent.AddPendingPods(2);
            }

            killed = await AwaitKillAsync(b, () => agent.SyncAsync(b.Address), TimeSpan.FromSeconds(30));
            for (var retry = 0; !killed && LaunchPoints.Contains(point) && retry < 3; retry++)
            {
                // Orleans placed every new claim on A: more claims, until one lands on B.
                agent.AddPendingPods(3);
                killed = await AwaitKillAsync(b, () => agent.SyncAsync(b.Address), TimeSpan.FromSeconds(30));
            }

            for (var retry = 0; !killed && DeletionPoints.Contains(point) && point != OrphanBeforeTerminate && retry < 3; retry++)
            {
                // The deleted claim's grain lived on A, which is not armed: another claim is launched and its node goes, until a deletion runs on B.
                agent.AddPendingPods(2);
                await Recovery.RecordAsync(_report, output, "b: PostgreSQL, before the kill", point, null, b.Address, _cloud, _agents, _silos);
                await RemoveRegisteredNodeAsync(b, agent);
                killed = await AwaitKillAsync(b, () => agent.SyncAsync(b.Address), TimeSpan.FromSeconds(30));
            }

            if (!killed)
            {
                output.WriteLine(b.Tail(40));
            }

            // A lives on: the agents go to A (as through a load balancer), and A must recover what B left behind.
            await Recovery.RecordAsync(_report, output, "b: PostgreSQL, A lives on", point, killed, a.Address, _cloud, _agents, [a]);

            // B comes back on its ports, armed for the next run.
            await b.DisposeAsync();
            b = await StartAsync("b", run + 1 < plan.Length ? plan[run + 1] : null, b.Ports);
            await Recovery.RecordAsync(_report, output, "b: PostgreSQL, B restarted", point, null, b.Address, _cloud, _agents, [a, b]);
        }

        // (c) on PostgreSQL: the database is unreachable for 8 s while pods arrive.
        foreach (var agent in _agents)
        {
            agent.AddPendingPods(1);
        }

        _proxy.Cut();
        var outage = System.Diagnostics.Stopwatch.StartNew();
        while (outage.Elapsed < TimeSpan.FromSeconds(8))
        {
            foreach (var agent in _agents)
            {
                await agent.SyncAsync(outage.Elapsed.TotalSeconds < 4 ? a.Address : b.Address);
            }

            await Task.Delay(500);
        }

        _proxy.Restore();
        await Recovery.RecordAsync(_report, output, "c: storage unavailable", "PostgreSQL unreachable 8 s", null, a.Address, _cloud, _agents, [a, b]);

        Assert.True(_report.AllPassed, _report.Render());
    }

    private async Task<SiloProcess> StartAsync(string name, string? faultPoint, SiloPorts? ports)
    {
        var settings = Settings(faultPoint, new Dictionary<string, string>
        {
            ["Karpo__Storage__Provider"] = "PostgreSql",
            ["Karpo__Storage__ConnectionString"] = _schema.ConnectionString(_proxy.Port),
            ["Karpo__SimulatedCloud__StateFile"] = Path.Combine(_dir, "cloud", "simulated-cloud.json"),
            ["Orleans__ClusterId"] = _schema.Name,
            ["Orleans__ServiceId"] = _schema.Name,
            ["Orleans__Endpoints__AdvertisedIPAddress"] = "127.0.0.1",
        });
        var silo = SiloProcess.Start($"silo-{name}-{_silos.Count + 1}", Path.Combine(_dir, name), settings, ports);
        _silos.Add(silo);
        await silo.WaitUntilServingAsync(AdminToken, StartTimeout);
        return silo;
    }
}

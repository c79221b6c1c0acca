using System.Diagnostics;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static Karpenter.Orleans.Fault.Tests.FaultSuite;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>
/// Scenarios (a), (c), (d), (e) on one SQLite silo, the embedded default's storage: the silo is killed with
/// SIGKILL at every launch and deletion fault point and started again in the same folder; then storage is
/// locked for a while, the cloud fails, and the agent reconnects in the middle of a batch. After each, the
/// invariants must hold again.
/// </summary>
public sealed class SqliteFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = TempFolder("sqlite");
    private readonly InvariantReport _report = new("sqlite");
    private readonly List<TestAgent> _agents = [];
    private SiloProcess? _silo;
    private int _starts;
    private SimulatedCloudProvider _cloud = null!;

    public Task InitializeAsync()
    {
        _cloud = Cloud(Path.Combine(_dir, ".karpo", "simulated-cloud.json"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _report.Write(output);
        output.WriteLine($"silo folder: {_dir}");
    }

    [Fact]
    public async Task A_SQLite_silo_killed_at_every_fault_point_and_through_outages_keeps_every_invariant()
    {
        // Each kill is followed by a start armed with the next point. A deletion point never fires during the
        // recovery of a launch (and the other way round), so every run recovers on its own before the next kill.
        var plan = new List<(string Point, bool Launch)>();
        var launches = LaunchPoints.ToList();
        var deletions = DeletionPoints.ToList();
        var repeats = Long ? 2 : 1;
        for (var r = 0; r < repeats; r++)
        {
            for (var i = 0; i < launches.Count; i++)
            {
                plan.Add((launches[i] + (r > 0 ? "#2" : ""), true));
                // After the last launch point of a round: a kill -9 from outside at rest, then the next round.
                plan.Add(i < deletions.Count ? (deletions[i] + (r > 0 ? "#2" : ""), false) : ("kill -9 at rest", false));
            }
        }

        await StartAsync(plan[0].Point);
        using var admin = new KarpoApi(_silo!.Address, AdminToken);
        var agent = new TestAgent("fault-sqlite", Region, await admin.RegisterClusterAsync("fault-sqlite", Region));
        _agents.Add(agent);
        agent.AddNodePool();

        for (var step = 0; step < plan.Count; step++)
        {
            var (point, launch) = plan[step];
            var next = step + 1 < plan.Count ? plan[step + 1].Point : null;
            bool killed;
            if (point == "kill -9 at rest")
            {
                await _silo!.KillAsync();
                killed = true;
            }
            else if (launch)
            {
                // One pod per batch in the quick mode: a second claim of a cut batch never gets its spec and waits 30 s to be ended.
                agent.AddPendingPods(Long ? 3 : 1);
                killed = await AwaitKillAsync(_silo!, () => agent.SyncAsync(_silo!.Address), TimeSpan.FromSeconds(45));
            }
            else if (point.StartsWith(OrphanBeforeTerminate, StringComparison.Ordinal))
            {
                await LaunchGhostAsync(_cloud, agent.ClusterId, $"ghost-{step}");
                killed = await AwaitKillAsync(_silo!, () => agent.SyncAsync(_silo!.Address), TimeSpan.FromSeconds(45));
            }
            else
            {
                await RemoveRegisteredNodeAsync(_silo!, agent);
                killed = await AwaitKillAsync(_silo!, () => agent.SyncAsync(_silo!.Address), TimeSpan.FromSeconds(45));
            }

            _report.Progress($"step {step + 1}/{plan.Count}: {point}: killed={killed}");
            await _silo!.DisposeAsync();
            await StartAsync(next is null || next == "kill -9 at rest" ? null : next);
            await RecordRecoveryAsync("a: SQLite, one silo", point, killed);
        }

        // (c) storage unavailable: the test holds SQLite's write lock while the agent sends new pods.
        agent.AddPendingPods(2);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_dir, ".karpo", "karpo.db")}"))
        {
            await connection.OpenAsync();
            using (var begin = connection.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            }

            var held = Stopwatch.StartNew();
            while (held.Elapsed < TimeSpan.FromSeconds(8))
            {
                await agent.SyncAsync(_silo!.Address);
                await Task.Delay(500);
            }

            using var rollback = connection.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        await RecordRecoveryAsync("c: storage unavailable", "SQLite write lock held 8 s", killed: false);

        // (d) the cloud fails launches, terminations, listings and gets for a while, while pods arrive and a node goes.
        _cloud.FailCalls(SimulatedCloudOperations.Launch | SimulatedCloudOperations.Terminate | SimulatedCloudOperations.List | SimulatedCloudOperations.Get,
            CloudErrorCode.Internal, DateTimeOffset.UtcNow.AddSeconds(8));
        agent.AddPendingPods(2);
        await RemoveRegisteredNodeAsync(_silo!, agent);
        var outage = Stopwatch.StartNew();
        while (outage.Elapsed < TimeSpan.FromSeconds(8))
        {
            await agent.SyncAsync(_silo!.Address);
            await Task.Delay(500);
        }

        await RecordRecoveryAsync("d: cloud failing", "launch, terminate, list, get fail 8 s", killed: false);

        // (e) the agent restarts while a provisioning batch is open: a new session, a snapshot resync.
        for (var round = 0; round < (Long ? 3 : 1); round++)
        {
            agent.AddPendingPods(3);
            await agent.SyncAsync(_silo!.Address);
            agent.NewSession();
            await agent.SyncAsync(_silo!.Address);
            await RecordRecoveryAsync("e: agent reconnects mid-batch", "new session during an open batch", killed: false);
        }

        Assert.True(_report.AllPassed, _report.Render());
        Assert.True(_starts >= plan.Count);
    }

    private async Task StartAsync(string? faultPoint)
    {
        _silo = SiloProcess.Start($"silo-{++_starts}", _dir, Settings(faultPoint));
        await _silo.WaitUntilServingAsync(AdminToken, StartTimeout);
    }

    private Task RecordRecoveryAsync(string scenario, string fault, bool killed) =>
        Recovery.RecordAsync(_report, output, scenario, fault, scenario.StartsWith("a:", StringComparison.Ordinal) ? killed : null,
            _silo!.Address, _cloud, _agents, [_silo]);
}

using System.Globalization;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>Settings, fault point names and checks the scenarios share.</summary>
internal static class FaultSuite
{
    public const string AdminToken = "karpo_admin_fault-suite-0123456789abcdef";
    public const string Region = "us-east-1";

    // The silo's fault points (Karpenter.Orleans.Grains.FaultPoints); a misspelt one stops the silo at start.
    public const string ProvisionAfterIndexStored = "cluster.provision.after-index-stored";
    public const string LaunchAfterSpecStored = "nodeclaim.launch.after-spec-stored";
    public const string LaunchAfterCloudCall = "nodeclaim.launch.after-cloud-call";
    public const string LaunchAfterBind = "nodeclaim.launch.after-bind";
    public const string LaunchAfterLaunchedStored = "nodeclaim.launch.after-launched-stored";
    public const string DeleteAfterDisruptingStored = "nodeclaim.delete.after-disrupting-stored";
    public const string DeleteAfterCloudTerminate = "nodeclaim.delete.after-cloud-terminate";
    public const string OrphanBeforeTerminate = "gc.orphan.before-terminate";

    public static readonly string[] LaunchPoints = [ProvisionAfterIndexStored, LaunchAfterSpecStored, LaunchAfterCloudCall, LaunchAfterBind, LaunchAfterLaunchedStored];
    public static readonly string[] DeletionPoints = [DeleteAfterDisruptingStored, DeleteAfterCloudTerminate, OrphanBeforeTerminate];

    /// <summary>The longer mode of scripts/fault-suite.sh (KARPO_FAULT_SUITE_LONG=1): every point hit a second time too, more pods per batch.</summary>
    public static bool Long => Environment.GetEnvironmentVariable("KARPO_FAULT_SUITE_LONG") is "1" or "true";

    /// <summary>How long recovery may take before an invariant counts as broken: generous, for a loaded 2-core machine.</summary>
    public static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(120);

    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The silo of the API scenarios: the embedded default (SQLite under .karpo/, simulated cloud with its state
    /// file) without the simulated fleet (the test is the agent), with a fixed admin token and short timers.
    /// </summary>
    public static Dictionary<string, string> Settings(string? faultPoint = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Karpo__Auth__AdminToken"] = AdminToken,
            ["Karpo__SimulatedFleet__Enabled"] = "false",
            ["Karpo__Dashboard__Enabled"] = "false",
            ["Karpo__Provisioning__ReconcileInterval"] = "00:00:01",
            ["Karpo__Provisioning__OrphanGracePeriod"] = "00:00:03",
            ["Karpo__Provisioning__BatchIdleDuration"] = "00:00:00.500",
            ["Karpo__Provisioning__BatchMaxDuration"] = "00:00:03",
            ["Karpo__SimulatedCloud__AutomaticInterruptions"] = "false",
            ["Karpo__SimulatedCloud__BootDelay"] = "00:00:00",
            ["Karpo__SimulatedCloud__ShutdownDelay"] = "00:00:01",
        };
        if (faultPoint is not null)
        {
            settings["KARPO_FAULT_KILL_AT"] = faultPoint;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The test's own view of the cloud the silos use: the same state file, the same settings.</summary>
    public static SimulatedCloudProvider Cloud(string stateFile)
    {
        var options = new SimulatedCloudOptions { StateFile = stateFile, AutomaticInterruptions = false, BootDelay = TimeSpan.Zero, ShutdownDelay = TimeSpan.FromSeconds(1) };
        return new SimulatedCloudProvider(options, TimeProvider.System);
    }

    /// <summary>An instance no claim knows about, as a crash between a launch and its record would leave (garbage collection must end it).</summary>
    public static async Task<CloudInstance> LaunchGhostAsync(SimulatedCloudProvider cloud, string clusterId, string name)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["karpo.io/cluster"] = clusterId, ["karpenter.sh/nodeclaim"] = name, ["karpenter.sh/nodepool"] = "default" };
        var result = await cloud.LaunchAsync(new LaunchRequest(Region, "111111111111", clusterId, name, "default",
            [new LaunchOffering("m5.large", Region + "a", "on-demand", 0.096)], tags, $"{clusterId}/{name}"));
        return result.Instance ?? throw new InvalidOperationException("the ghost launch failed: " + string.Join(", ", result.Failures.Select(f => f.Code)));
    }

    public const string CleanLog = "clean log (no tick failure, no unhandled exception)";

    /// <summary>Lines in a silo's log that mean something broke rather than failed safely.</summary>
    public static string? LogProblems(string log)
    {
        var bad = log.Split('\n')
            .Select((line, i) => (line, i))
            .Where(l => l.line.Contains("tick failed", StringComparison.OrdinalIgnoreCase) ||
                        l.line.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase) ||
                        l.line.Contains("already been added", StringComparison.Ordinal) ||
                        l.line.Contains("OverflowException", StringComparison.Ordinal))
            .Select(l => string.Create(CultureInfo.InvariantCulture, $"line {l.i + 1}: {l.line.Trim()}"))
            .ToList();
        return bad.Count == 0 ? null : string.Join("; ", bad.Take(3));
    }

    /// <summary>Keeps an agent talking until the silo dies (a fault point fired) or the deadline passes.</summary>
    public static async Task<bool> AwaitKillAsync(SiloProcess silo, Func<Task> eachRound, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await silo.WaitForExitAsync(TimeSpan.FromMilliseconds(300)))
            {
                return silo.Log.Contains("FAULT KARPO_FAULT_KILL_AT", StringComparison.Ordinal);
            }

            try
            {
                await eachRound();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The silo is going down mid-call.
            }
        }

        return false;
    }

    public static string TempFolder(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "karpo-fault", $"{name}-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A node whose claim the service has seen register leaves the cluster, so the service deletes that claim.</summary>
    public static async Task RemoveRegisteredNodeAsync(SiloProcess silo, TestAgent agent)
    {
        using var admin = new KarpoApi(silo.Address, AdminToken);
        string? claim = null;
        for (var attempt = 0; claim is null; attempt++)
        {
            Assert.True(attempt < 60, $"no registered claim to delete in {agent.ClusterId}:\n{silo.Tail()}");
            await agent.SyncAsync(silo.Address);
            claim = (await admin.GetListAsync($"/api/v1/clusters/{agent.ClusterId}/nodeclaims"))
                .Where(c => c.GetProperty("phase").GetString() is "registered" or "initialized" && c.GetProperty("nodeName").GetString() is not null)
                .Select(c => c.GetProperty("name").GetString()!)
                .FirstOrDefault(c => agent.NodesByClaim.ContainsKey(c) && !agent.Removed.Contains(c));
            if (claim is null)
            {
                await Task.Delay(500);
            }
        }

        agent.RemoveNodeOf(claim);
    }
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Grains;

/// <summary>
/// Named points in a launch and a deletion where the fault suite kills the silo process, as a power cut or
/// an OOM kill would: SIGKILL, no graceful stop, no finally blocks, no flush. Armed only by the environment
/// variable <see cref="EnvironmentVariable"/> (<c>point[#N]</c>, several separated by commas: die the N-th
/// time that point is reached, the first when no <c>#N</c>), read once at start; unarmed, a point costs one
/// null check. docs/reliability.md lists the points and what the suite checks after each.
/// </summary>
public static class FaultPoints
{
    public const string EnvironmentVariable = "KARPO_FAULT_KILL_AT";

    /// <summary>The cluster wrote its index with new claims; the claims have not received their specs.</summary>
    public const string ProvisionAfterIndexStored = "cluster.provision.after-index-stored";

    /// <summary>The claim stored its spec (phase Pending); the cloud has not been called.</summary>
    public const string LaunchAfterSpecStored = "nodeclaim.launch.after-spec-stored";

    /// <summary>The cloud made the instance; it is not bound to the claim yet.</summary>
    public const string LaunchAfterCloudCall = "nodeclaim.launch.after-cloud-call";

    /// <summary>The instance is bound to the claim; the claim has not stored Launched.</summary>
    public const string LaunchAfterBind = "nodeclaim.launch.after-bind";

    /// <summary>The claim stored Launched; the cluster has not heard of it.</summary>
    public const string LaunchAfterLaunchedStored = "nodeclaim.launch.after-launched-stored";

    /// <summary>The claim stored Disrupting; the cloud has not been asked to terminate.</summary>
    public const string DeleteAfterDisruptingStored = "nodeclaim.delete.after-disrupting-stored";

    /// <summary>The cloud is terminating the instance; the claim has not stored Terminated.</summary>
    public const string DeleteAfterCloudTerminate = "nodeclaim.delete.after-cloud-terminate";

    /// <summary>Garbage collection found an orphan and is about to terminate it.</summary>
    public const string OrphanBeforeTerminate = "gc.orphan.before-terminate";

    /// <summary>Every point, in the order a claim passes them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ProvisionAfterIndexStored, LaunchAfterSpecStored, LaunchAfterCloudCall, LaunchAfterBind, LaunchAfterLaunchedStored,
        DeleteAfterDisruptingStored, DeleteAfterCloudTerminate, OrphanBeforeTerminate,
    ];

    // Point → hits left before it fires; null when unarmed (every production run).
    private static readonly Dictionary<string, int>? Armed = Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Kills the process here when this point is armed and its count is reached; otherwise does nothing.</summary>
    public static void Reach(string point, ILogger logger)
    {
        if (Armed is null)
        {
            return;
        }

        lock (Armed)
        {
            if (!Armed.TryGetValue(point, out var left))
            {
                return;
            }

            Armed[point] = left - 1;
            if (left != 1)
            {
                return;
            }
        }

        // Said before the kill, synchronously: the console logger writes from a queue the kill would drop.
        var line = $"FAULT {EnvironmentVariable}: killing the silo process (SIGKILL) at {point}";
        logger.LogCritical("FAULT {Variable}: killing the silo process (SIGKILL) at {Point}", EnvironmentVariable, point);
        Console.Error.WriteLine(line);
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
    }

    /// <summary>Reads the variable now, so a misspelt point stops the host at start (AddKarpoGrains) instead of running a suite that kills nothing.</summary>
    public static void Validate()
    {
        try
        {
            _ = Armed;
        }
        catch (TypeInitializationException ex) when (ex.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }
    }

    /// <summary>"a#2,b" → {a: 2, b: 1}; an unknown point or a bad count throws.</summary>
    internal static Dictionary<string, int>? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var armed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var hash = part.IndexOf('#', StringComparison.Ordinal);
            var name = hash < 0 ? part : part[..hash];
            var count = 1;
            if (!All.Contains(name, StringComparer.Ordinal) ||
                hash >= 0 && (!int.TryParse(part[(hash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1))
            {
                throw new InvalidOperationException(
                    $"{EnvironmentVariable}: '{part}' is not a fault point (expected point[#N] with N ≥ 1; points: {string.Join(", ", All)})");
            }

            armed[name] = count;
        }

        return armed;
    }
}

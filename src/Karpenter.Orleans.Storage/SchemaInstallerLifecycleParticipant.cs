using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Storage;

/// <summary>
/// Applies the schema at <see cref="ServiceLifecycleStage.First"/> of the silo lifecycle, before
/// membership (RuntimeInitialize), grain storage (ApplicationServices) and reminders start and
/// read their queries from the <c>OrleansQuery</c> table.
/// </summary>
internal sealed partial class SchemaInstallerLifecycleParticipant(
    StorageProvider provider,
    string connectionString,
    ILogger<SchemaInstallerLifecycleParticipant> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaInstallerLifecycleParticipant), ServiceLifecycleStage.First, ApplyAsync);

    private async Task ApplyAsync(CancellationToken ct)
    {
        var target = StorageConnectionStrings.Describe(provider, connectionString);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await SchemaInstaller.ApplyAsync(provider, connectionString, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, target);
            throw;
        }

        LogApplied(string.Join(", ", SchemaInstaller.ScriptNames(provider)), target, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage schema applied ({Scripts}) to {Target} in {ElapsedMs:F0} ms")]
    private partial void LogApplied(string scripts, string target, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage schema could not be applied to {Target}; the silo will not start")]
    private partial void LogFailed(Exception exception, string target);
}

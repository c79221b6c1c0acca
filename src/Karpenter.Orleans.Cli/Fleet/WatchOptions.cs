using System.CommandLine;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>The options of the list commands that can watch: <c>-w/--watch</c>, <c>--interval</c>, <c>--watch-timeout</c>.</summary>
internal sealed class WatchOptions
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    public Option<bool> Watch { get; } = new("--watch", "-w")
    {
        Description = "After listing, keep polling and print the objects that appear, change or go away (Ctrl-C stops).",
    };

    public Option<TimeSpan?> Interval { get; } = FleetDuration.CreateOption("--interval", "How often --watch polls the service (default: 2s).");

    public Option<TimeSpan?> Timeout { get; } = FleetDuration.CreateOption("--watch-timeout", "Stop watching after this long and exit 0 (default: until Ctrl-C).");

    public void AddTo(Command command)
    {
        command.Options.Add(Watch);
        command.Options.Add(Interval);
        command.Options.Add(Timeout);
    }

    /// <summary>Lists once, or watches when <c>--watch</c> is given.</summary>
    public async Task RunAsync<T>(
        ParseResult parseResult,
        FleetListing<T> listing,
        OutputStyle style,
        Func<IReadOnlyList<T>> poll,
        FleetEnvironment environment,
        CancellationToken cancellation,
        TextWriter stdout)
    {
        if (!parseResult.GetValue(Watch))
        {
            FleetPrinter.List(listing, poll(), style, environment.Time.GetUtcNow(), stdout);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, environment.Stop);
        if (parseResult.GetValue(Timeout) is { } timeout)
        {
            stop.CancelAfter(timeout);
        }

        var watch = new FleetWatch<T>(listing, style, stdout, environment.Time);
        await watch.RunAsync(poll, parseResult.GetValue(Interval) ?? DefaultInterval, stop.Token).ConfigureAwait(false);
    }
}

using Karpenter.Orleans.Cli.Output;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// <c>--watch</c>: prints the list once, then polls the API every interval and prints, as kubectl does, only the
/// objects that appeared, changed or went away since the last poll (a removed object prints its last row). Tables
/// keep the first poll's column widths, widening them when a longer cell comes. It runs until cancelled (Ctrl-C) or
/// until <c>--watch-timeout</c>, then exits 0.
/// </summary>
internal sealed class FleetWatch<T>(FleetListing<T> listing, OutputStyle style, TextWriter writer, TimeProvider time)
{
    private readonly Dictionary<string, (string Json, T Item)> _seen = new(StringComparer.Ordinal);
    private int[]? _widths;

    public async Task RunAsync(Func<IReadOnlyList<T>> poll, TimeSpan interval, CancellationToken cancellation)
    {
        Print(poll(), first: true);
        while (true)
        {
            try
            {
                await Task.Delay(interval, time, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Print(poll(), first: false);
        }
    }

    private void Print(IReadOnlyList<T> items, bool first)
    {
        var now = time.GetUtcNow();
        var changed = new List<T>();
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in listing.Sort(items))
        {
            var name = listing.Name(item);
            current.Add(name);
            var json = FleetJson.Write(item);
            if (!_seen.TryGetValue(name, out var before) || before.Json != json)
            {
                changed.Add(item);
                _seen[name] = (json, item);
            }
        }

        foreach (var gone in _seen.Keys.Where(k => !current.Contains(k)).ToList())
        {
            changed.Add(_seen[gone].Item);
            _seen.Remove(gone);
        }

        if (first && changed.Count == 0 && style.IsTable && !style.NoHeaders)
        {
            writer.WriteLine(listing.Empty());
        }

        foreach (var item in changed)
        {
            Write(item, now);
        }

        writer.Flush();
    }

    private void Write(T item, DateTimeOffset now)
    {
        switch (style.Format)
        {
            case FleetOutput.Json:
                writer.WriteLine(FleetJson.Write(item));
                return;
            case FleetOutput.Yaml:
                writer.WriteLine("---");
                writer.WriteLine(FleetYaml.Write(item));
                return;
            case FleetOutput.Name:
                writer.WriteLine(listing.QualifiedName(item));
                return;
        }

        var row = listing.Row(item, now, style.Wide);
        if (_widths is null)
        {
            var header = listing.HeaderRow(style.Wide);
            _widths = TableWriter.Widths([header], new int[header.Length]);
            if (!style.NoHeaders)
            {
                // The header is sized by the first poll's rows, as a table of them would be.
                var rows = _seen.Values.Select(v => listing.Row(v.Item, now, style.Wide)).Prepend(header);
                _widths = TableWriter.Widths(rows, _widths);
                TableWriter.WriteRow(writer, header, _widths);
            }
        }

        _widths = TableWriter.Widths([row], _widths);
        TableWriter.WriteRow(writer, row, _widths);
    }
}

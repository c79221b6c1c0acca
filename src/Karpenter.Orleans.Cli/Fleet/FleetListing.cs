namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// How one kind of fleet object prints in every format: its <c>kind/name</c>, its table rows (sorted, since the API's
/// order depends on which grain answered first), the extra <c>wide</c> columns, and the summary under the table.
/// The name is also the object's identity when <c>--watch</c> looks for what changed.
/// </summary>
internal sealed class FleetListing<T>
{
    /// <summary>The kind in <c>-o name</c> output: <c>nodeclaim/prod/general-x2x4q</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The object's name, unique in the fleet (cluster-qualified where names are per cluster).</summary>
    public required Func<T, string> Name { get; init; }

    public required Func<IEnumerable<T>, IEnumerable<T>> Sort { get; init; }

    public required string[] Headers { get; init; }

    public required Func<T, DateTimeOffset, string[]> Cells { get; init; }

    public string[] WideHeaders { get; init; } = [];

    public Func<T, DateTimeOffset, string[]> WideCells { get; init; } = (_, _) => [];

    /// <summary>The sentence printed instead of a table when there is nothing to list.</summary>
    public required Func<string> Empty { get; init; }

    /// <summary>The lines under the table, after a blank line.</summary>
    public Func<IReadOnlyList<T>, IEnumerable<string>> Summary { get; init; } = _ => [];

    public string[] HeaderRow(bool wide) => wide ? [.. Headers, .. WideHeaders] : Headers;

    public string[] Row(T item, DateTimeOffset now, bool wide) => wide ? [.. Cells(item, now), .. WideCells(item, now)] : Cells(item, now);

    public string QualifiedName(T item) => $"{Kind}/{Name(item)}";
}

using System.Text.RegularExpressions;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// One fleet table as karpo printed it: a header, aligned rows, a blank line and summary lines. Reading a cell by
/// its header's column also checks the alignment: every cell starts exactly under its header, after a space.
/// </summary>
internal sealed partial class FleetTable
{
    private readonly int[] _starts;

    public FleetTable(string stdout)
    {
        var lines = stdout.Split('\n');
        var header = lines[0];
        Columns = [.. Gap().Split(header.Trim())];
        _starts = new int[Columns.Count];
        for (int i = 0, from = 0; i < Columns.Count; i++)
        {
            _starts[i] = header.IndexOf(Columns[i], from, StringComparison.Ordinal);
            from = _starts[i] + Columns[i].Length;
        }

        var body = lines.Skip(1).TakeWhile(l => l.Length > 0).ToList();
        Rows = [.. body.Select(Cells)];
        Summary = [.. lines.Skip(1 + body.Count).Where(l => l.Length > 0)];
    }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Rows { get; }

    /// <summary>The lines after the blank line that ends the rows.</summary>
    public IReadOnlyList<string> Summary { get; }

    public IEnumerable<IReadOnlyDictionary<string, string>> RowsWhere(string column, string value) => Rows.Where(r => r[column] == value);

    private Dictionary<string, string> Cells(string line)
    {
        var cells = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < _starts.Length; i++)
        {
            var start = _starts[i];
            if (line.Length <= start || line[start] == ' ' || (start > 0 && line[start - 1] != ' '))
            {
                throw new FormatException($"column {Columns[i]} is not aligned in: {line}");
            }

            var end = i + 1 < _starts.Length ? _starts[i + 1] : line.Length;
            cells[Columns[i]] = line[start..Math.Min(end, line.Length)].Trim();
        }

        return cells;
    }

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Gap();
}

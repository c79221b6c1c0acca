namespace Karpenter.Orleans.Cli.Output;

/// <summary>A kubectl-style table: upper-case headers, left-aligned columns three spaces apart, no trailing spaces.</summary>
internal sealed class TableWriter
{
    private const string Gap = "   ";

    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TableWriter(params string[] headers)
    {
        _headers = headers;
    }

    public int RowCount => _rows.Count;

    public void AddRow(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void Write(TextWriter writer) => Write(writer, headers: true);

    /// <summary>Writes the rows, with the header line unless <paramref name="headers"/> is false (<c>--no-headers</c>).</summary>
    public void Write(TextWriter writer, bool headers)
    {
        var lines = headers ? _rows.Prepend(_headers).ToList() : _rows;
        var widths = Widths(lines, new int[_headers.Length]);
        foreach (var row in lines)
        {
            WriteRow(writer, row, widths);
        }
    }

    /// <summary>Widens <paramref name="widths"/> to fit <paramref name="rows"/>; <c>--watch</c> keeps its widths from one poll to the next.</summary>
    public static int[] Widths(IEnumerable<string[]> rows, int[] widths)
    {
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length && i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        return widths;
    }

    public static void WriteRow(TextWriter writer, string[] row, int[] widths)
    {
        var line = string.Join(Gap, row.Select((cell, i) => cell.PadRight(widths[i])));
        writer.WriteLine(line.TrimEnd());
    }
}

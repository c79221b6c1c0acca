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

    public void Write(TextWriter writer)
    {
        var widths = new int[_headers.Length];
        foreach (var row in _rows.Prepend(_headers))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in _rows.Prepend(_headers))
        {
            var line = string.Join(Gap, row.Select((cell, i) => cell.PadRight(widths[i])));
            writer.WriteLine(line.TrimEnd());
        }
    }
}

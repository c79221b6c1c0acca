using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>
/// Fault points × runs, each invariant pass or fail: printed to the test output and written to
/// <c>.test-results/fault-suite/&lt;name&gt;.md</c> (or <c>$KARPO_FAULT_REPORT_DIR</c>), for docs/reliability.md.
/// </summary>
internal sealed class InvariantReport(string name)
{
    private readonly List<Row> _rows = [];

    public IReadOnlyList<Row> Rows => _rows;

    public static string Directory =>
        Environment.GetEnvironmentVariable("KARPO_FAULT_REPORT_DIR") is { Length: > 0 } dir ? dir : Path.Combine(SiloBuild.RepositoryRoot, ".test-results", "fault-suite");

    public void Add(string scenario, string fault, bool killed, IReadOnlyDictionary<string, string?> results, TimeSpan recovery) =>
        _rows.Add(new Row(scenario, fault, _rows.Count(r => r.Scenario == scenario && r.Fault == fault) + 1, killed, results, recovery));

    public bool AllPassed => _rows.All(r => r.Passed);

    /// <summary>A line of progress, appended at once to &lt;name&gt;.progress.log beside the report, to follow a long run live.</summary>
    public void Progress(string line)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.AppendAllText(Path.Combine(Directory, name + ".progress.log"), $"{DateTime.UtcNow:HH:mm:ss} {line}{Environment.NewLine}");
    }

    public string Render()
    {
        var text = new StringBuilder();
        var names = _rows.SelectMany(r => r.Results.Keys).Distinct().ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"## {name}");
        text.AppendLine();
        text.AppendLine("| scenario | fault | run | killed | recovered in | " + string.Join(" | ", names) + " |");
        text.AppendLine("|---|---|---|---|---|" + string.Concat(names.Select(_ => "---|")));
        foreach (var row in _rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Scenario} | {row.Fault} | {row.Run} | {(row.Killed ? "SIGKILL" : "-")} | {row.Recovery.TotalSeconds:0.0} s |");
            foreach (var n in names)
            {
                text.Append(row.Results.TryGetValue(n, out var problem) ? problem is null ? " pass |" : " FAIL |" : " n/a |");
            }

            text.AppendLine();
        }

        var checks = _rows.Sum(r => r.Results.Count);
        var failed = _rows.Sum(r => r.Results.Values.Count(v => v is not null));
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{_rows.Where(r => r.Killed).Select(r => r.Fault).Distinct().Count()} fault points, {_rows.Count(r => r.Killed)} kills, {_rows.Count} runs, {checks} invariant checks, {failed} failed.");
        foreach (var row in _rows.Where(r => !r.Passed))
        {
            foreach (var (n, problem) in row.Results.Where(p => p.Value is not null))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- FAIL {row.Scenario} / {row.Fault} / run {row.Run} / {n}: {problem}");
            }
        }

        return text.ToString();
    }

    public void Write(ITestOutputHelper output)
    {
        var text = Render();
        output.WriteLine(text);
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(Path.Combine(Directory, name + ".md"), text);
    }

    internal sealed record Row(string Scenario, string Fault, int Run, bool Killed, IReadOnlyDictionary<string, string?> Results, TimeSpan Recovery)
    {
        public bool Passed => Results.Values.All(v => v is null);
    }
}

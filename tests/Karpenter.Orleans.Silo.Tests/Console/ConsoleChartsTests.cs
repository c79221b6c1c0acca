using System.Text.RegularExpressions;
using Karpenter.Orleans.Silo.Console;

namespace Karpenter.Orleans.Silo.Tests.Console;

/// <summary>The console's charts: a line per series, a legend that names each in its line's colour, and the spend cap kept in view.</summary>
public sealed partial class ConsoleChartsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_legend_names_every_line_in_its_colour_and_the_cap()
    {
        var html = ConsoleCharts.TimeSeries("Cost over time", "$/h",
            [("fleet", Points(0.05, 0.06)), ("prod-<a>", Points(0.01, 0.02))], 0.5, "fleet spend cap");

        var entries = LegendEntry().Matches(html).Select(m => (Color: m.Groups[1].Value, Name: m.Groups[2].Value)).ToList();
        Assert.Equal(["fleet", "prod-&lt;a&gt;"], entries.Select(e => e.Name));
        // The SVG writes a colour as #rrggbb or rgb(r,g,b); each legend colour is one line's stroke.
        var strokes = Stroke().Matches(html).Select(m => m.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        Assert.All(entries, e => Assert.True(strokes.Contains("#" + e.Color) || strokes.Contains(Rgb(e.Color)), $"no line is drawn in #{e.Color} ({e.Name}): {string.Join(", ", strokes)}"));
        Assert.Contains("<i class=\"limit\"></i>fleet spend cap", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<a>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, "HH:mm:ss")]
    [InlineData(180, "HH:mm")]
    [InlineData(3 * 24 * 60, "MM-dd HH:mm")]
    public void Time_ticks_are_as_fine_as_the_history_is_long(int minutes, string format)
    {
        Assert.Equal(format, ConsoleCharts.TimeFormat(TimeSpan.FromMinutes(minutes)));
    }

    private static IEnumerable<(DateTimeOffset At, double Value)> Points(double from, double to) =>
        [(Start, from), (Start.AddMinutes(1), to)];

    private static string Rgb(string hex) =>
        $"rgb({Convert.ToInt32(hex[..2], 16)},{Convert.ToInt32(hex[2..4], 16)},{Convert.ToInt32(hex[4..], 16)})";

    [GeneratedRegex("stroke[:=]\"?(#[0-9a-fA-F]{6}|rgb\\([0-9, ]+\\))", RegexOptions.CultureInvariant)]
    private static partial Regex Stroke();

    [GeneratedRegex("<span><i style=\"background:#([0-9a-f]{6})\"></i>([^<]*)</span>", RegexOptions.CultureInvariant)]
    private static partial Regex LegendEntry();
}

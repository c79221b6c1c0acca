using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>
/// Charts rendered on the server as SVG by OxyPlot, so pages need no script, no CDN and no client library:
/// they draw the same in any browser and without internet access.
/// </summary>
internal static class ConsoleCharts
{
    public const int Width = 720;

    public const int Height = 260;

    /// <summary>A time series chart of one or more lines, with an optional horizontal limit (a spend cap).</summary>
    public static string TimeSeries(string title, string unit, IEnumerable<(string Name, IEnumerable<(DateTimeOffset At, double Value)> Points)> lines, double? limit = null, string? limitName = null)
    {
        var model = new PlotModel { Title = title, TitleFontSize = 13, DefaultFontSize = 11, PlotAreaBorderColor = OxyColors.LightGray };
        model.Axes.Add(new DateTimeAxis { Position = AxisPosition.Bottom, StringFormat = "HH:mm", MajorGridlineStyle = LineStyle.Dot });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = unit, Minimum = 0, MajorGridlineStyle = LineStyle.Dot, MinimumPadding = 0, MaximumPadding = 0.1 });
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.TopLeft, LegendPlacement = LegendPlacement.Inside, LegendBackground = OxyColor.FromAColor(200, OxyColors.White) });
        var any = false;
        foreach (var (name, points) in lines)
        {
            var series = new LineSeries { Title = name, StrokeThickness = 1.5 };
            foreach (var (at, value) in points)
            {
                series.Points.Add(DateTimeAxis.CreateDataPoint(at.UtcDateTime, value));
            }

            any |= series.Points.Count > 0;
            model.Series.Add(series);
        }

        if (limit is { } cap)
        {
            model.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Horizontal, Y = cap, Text = limitName ?? "limit", Color = OxyColors.IndianRed, LineStyle = LineStyle.Dash });
        }

        if (!any)
        {
            model.Subtitle = "no samples yet";
        }

        // A viewBox instead of a fixed size, so the chart scales to its card without cropping the axes.
        var svg = SvgExporter.ExportToString(model, Width, Height, isDocument: false);
        var fixedSize = $"width=\"{Width}\" height=\"{Height}\"";
        var start = svg.IndexOf("<svg ", StringComparison.Ordinal);
        var size = start < 0 ? -1 : svg.IndexOf(fixedSize, start, StringComparison.Ordinal);
        return size < 0 ? svg : string.Concat(svg.AsSpan(0, size), $"viewBox=\"0 0 {Width} {Height}\"", svg.AsSpan(size + fixedSize.Length));
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
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

    /// <summary>A time series chart of one or more lines, with an optional horizontal limit (a spend cap), and its legend: SVG, then HTML.</summary>
    public static string TimeSeries(string title, string unit, IEnumerable<(string Name, IEnumerable<(DateTimeOffset At, double Value)> Points)> lines, double? limit = null, string? limitName = null)
    {
        var model = new PlotModel { Title = title, TitleFontSize = 13, DefaultFontSize = 11, PlotAreaBorderColor = OxyColors.LightGray };
        var time = new DateTimeAxis { Position = AxisPosition.Bottom, MajorGridlineStyle = LineStyle.Dot };
        model.Axes.Add(time);
        var values = new LinearAxis { Position = AxisPosition.Left, Title = unit, Minimum = 0, MajorGridlineStyle = LineStyle.Dot, MinimumPadding = 0, MaximumPadding = 0.1 };
        model.Axes.Add(values);
        // The legend is HTML under the plot, not OxyPlot's: the SVG exporter measures text without the browser's
        // fonts, so its legend entries came out clipped and on top of each other.
        var legend = new List<(string Name, OxyColor Color)>();
        var any = false;
        DateTimeOffset? first = null, last = null;
        foreach (var (name, points) in lines)
        {
            var color = model.DefaultColors[legend.Count % model.DefaultColors.Count];
            legend.Add((name, color));
            var series = new LineSeries { Title = name, StrokeThickness = 1.5, Color = color };
            foreach (var (at, value) in points)
            {
                series.Points.Add(DateTimeAxis.CreateDataPoint(at.UtcDateTime, value));
                first = first is { } f && f <= at ? f : at;
                last = last is { } l && l >= at ? l : at;
            }

            any |= series.Points.Count > 0;
            model.Series.Add(series);
        }

        time.StringFormat = TimeFormat(first is { } from && last is { } to ? to - from : TimeSpan.Zero);

        if (limit is { } cap)
        {
            // The cap stays in view however far below it the lines are: the chart is spend against the cap.
            var highest = model.Series.OfType<LineSeries>().SelectMany(l => l.Points).Select(p => p.Y).DefaultIfEmpty(0).Max();
            values.Maximum = Math.Max(highest, cap) * 1.1;
            model.Annotations.Add(new LineAnnotation { Type = LineAnnotationType.Horizontal, Y = cap, Color = OxyColors.IndianRed, LineStyle = LineStyle.Dash });
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
        var html = new StringBuilder(size < 0 ? svg : string.Concat(svg.AsSpan(0, size), $"viewBox=\"0 0 {Width} {Height}\"", svg.AsSpan(size + fixedSize.Length)));
        html.Append("<div class=\"legend\">");
        foreach (var (name, color) in legend)
        {
            html.Append(CultureInfo.InvariantCulture, $"<span><i style=\"background:#{color.R:x2}{color.G:x2}{color.B:x2}\"></i>{WebUtility.HtmlEncode(name)}</span>");
        }

        if (limit is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<span><i class=\"limit\"></i>{WebUtility.HtmlEncode(limitName ?? "limit")}</span>");
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>Tick labels that tell ticks apart: seconds over a few minutes of history, days over more than one.</summary>
    internal static string TimeFormat(TimeSpan span) =>
        span < TimeSpan.FromMinutes(10) ? "HH:mm:ss"
        : span < TimeSpan.FromDays(1) ? "HH:mm"
        : "MM-dd HH:mm";
}

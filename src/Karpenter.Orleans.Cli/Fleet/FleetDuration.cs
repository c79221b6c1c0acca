using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>Durations on the command line the way kubectl writes them: <c>500ms</c>, <c>2s</c>, <c>5m</c>, <c>1h</c>, <c>1.5s</c>.</summary>
internal static class FleetDuration
{
    /// <summary>The span, or null when <paramref name="text"/> is not a positive duration.</summary>
    public static TimeSpan? Parse(string text)
    {
        text = text.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, double.NaN);
        return !double.IsNaN(unit) && double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0
            ? TimeSpan.FromSeconds(value * unit)
            : null;
    }

    /// <summary>An option taking a duration; a bad one is a usage error naming the option.</summary>
    public static Option<TimeSpan?> CreateOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = result => Parse(result, name),
    };

    private static TimeSpan? Parse(ArgumentResult result, string name)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (Parse(text) is { } span)
        {
            return span;
        }

        result.AddError($"{name} '{text}' is not a duration: use a positive number with ms, s, m or h (2s, 500ms, 5m).");
        return null;
    }
}

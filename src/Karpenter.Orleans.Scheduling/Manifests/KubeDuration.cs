using System.Text.RegularExpressions;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Durations as the karpenter.sh/v1 CRD accepts them: Go-style integers with h, m and s units
/// ("30s", "1h30m", "0s"); disruption budget durations take hours and minutes only ("1h", "1h30m", "90m0s").
/// </summary>
internal static partial class KubeDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (!General().IsMatch(text))
        {
            return false;
        }

        long seconds = 0;
        long number = 0;
        try
        {
            foreach (var c in text)
            {
                if (char.IsAsciiDigit(c))
                {
                    number = checked((number * 10) + (c - '0'));
                    continue;
                }

                seconds = checked(seconds + (number * (c switch { 'h' => 3600, 'm' => 60, _ => 1 })));
                number = 0;
            }
        }
        catch (OverflowException)
        {
            return false;
        }

        if (seconds > (long)TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    public static bool TryParseBudget(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        return Budget().IsMatch(text) && TryParse(text, out value);
    }

    [GeneratedRegex(@"^([0-9]+(s|m|h))+\z", RegexOptions.CultureInvariant)]
    private static partial Regex General();

    [GeneratedRegex(@"^(([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Budget();
}

using System.Text.RegularExpressions;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>
/// Just enough PromQL lexing to list the metric names an expression reads: string literals, label
/// matchers, range and subquery brackets, Grafana variables and by/on/... label lists are dropped;
/// identifiers that call a function or are operators are skipped; what remains are metric names.
/// </summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
        "and", "or", "unless", "offset", "atan2", "inf", "nan",
    };

    /// <summary>The distinct metric names <paramref name="expression"/> selects, in order of appearance.</summary>
    public static IReadOnlyList<string> MetricNames(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var text = StringLiteral().Replace(expression, "\"\"");
        text = GrafanaVariable().Replace(text, "1");
        text = Brackets().Replace(text, " ");
        text = Braces().Replace(text, " ");
        text = LabelList().Replace(text, " ");

        var names = new List<string>();
        foreach (Match match in Identifier().Matches(text))
        {
            var rest = text.AsSpan(match.Index + match.Length).TrimStart();
            var isCall = rest.Length > 0 && rest[0] == '(';
            if (isCall || Keywords.Contains(match.Value) || names.Contains(match.Value))
            {
                continue;
            }

            names.Add(match.Value);
        }

        return names;
    }

    /// <summary>The metric names of a Grafana variable query: label_values(selector, label), metrics(...), query_result(...), or plain PromQL.</summary>
    public static IReadOnlyList<string> MetricNamesOfVariableQuery(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var labelValues = LabelValues().Match(query);
        if (labelValues.Success)
        {
            return labelValues.Groups["selector"].Success ? MetricNames(labelValues.Groups["selector"].Value) : [];
        }

        var queryResult = QueryResult().Match(query);
        return MetricNames(queryResult.Success ? queryResult.Groups["expr"].Value : query);
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex GrafanaVariable();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex LabelList();

    [GeneratedRegex(@"(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^\s*label_values\(\s*(?:(?<selector>.+)\s*,\s*)?[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$", RegexOptions.Singleline)]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^\s*query_result\((?<expr>.*)\)\s*$", RegexOptions.Singleline)]
    private static partial Regex QueryResult();
}

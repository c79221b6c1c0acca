using k8s.Models;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// kubectl's <c>-l</c> syntax: comma-separated requirements, all of which must hold: <c>k=v</c> (or <c>k==v</c>),
/// <c>k!=v</c> (also true when the label is missing), <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c> (the label
/// exists) and <c>!k</c> (it does not). The result is the solver's own matcher, so karpo and the scheduler agree.
/// </summary>
internal static class LabelSelectorParser
{
    /// <summary>The compiled selector, or a <see cref="FormatException"/> saying which requirement is wrong and why.</summary>
    public static LabelSelectorMatcher Parse(string text)
    {
        var expressions = new List<V1LabelSelectorRequirement>();
        foreach (var requirement in Split(text))
        {
            expressions.Add(Requirement(requirement));
        }

        // Equalities are In expressions rather than matchLabels, so "a=1,a=2" matches nothing as kubectl's does.
        return LabelSelectorMatcher.Compile(new V1LabelSelector { MatchExpressions = expressions });
    }

    /// <summary>The top-level requirements: commas inside parentheses belong to a set.</summary>
    private static List<string> Split(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || (text[i] == ',' && depth == 0))
            {
                var part = text[start..i].Trim();
                if (part.Length == 0)
                {
                    throw new FormatException(text.Trim().Length == 0 ? "the selector is empty" : $"empty requirement in \"{text}\"");
                }

                parts.Add(part);
                start = i + 1;
            }
            else if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')' && --depth < 0)
            {
                throw new FormatException($"unbalanced ')' in \"{text}\"");
            }
        }

        return depth == 0 ? parts : throw new FormatException($"unclosed '(' in \"{text}\"");
    }

    private static V1LabelSelectorRequirement Requirement(string text)
    {
        if (text.StartsWith('!') && !text.Contains('='))
        {
            return Expression(Key(text[1..].Trim(), text), "DoesNotExist", null);
        }

        var notEqual = text.IndexOf("!=", StringComparison.Ordinal);
        if (notEqual > 0)
        {
            return Expression(Key(text[..notEqual].Trim(), text), "NotIn", [Value(text[(notEqual + 2)..].Trim(), text)]);
        }

        var equal = text.IndexOf('=', StringComparison.Ordinal);
        if (equal > 0)
        {
            var value = text[(equal + 1)..];
            value = value.StartsWith('=') ? value[1..] : value;
            return Expression(Key(text[..equal].Trim(), text), "In", [Value(value.Trim(), text)]);
        }

        var open = text.IndexOf('(', StringComparison.Ordinal);
        if (open > 0)
        {
            var words = text[..open].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 2 || !text.EndsWith(')') || words[1] is not ("in" or "notin"))
            {
                throw new FormatException($"\"{text}\" is not a requirement: expected KEY in (A,B) or KEY notin (A,B)");
            }

            var values = text[(open + 1)..^1].Split(',').Select(v => Value(v.Trim(), text)).ToList();
            return Expression(Key(words[0], text), words[1] == "in" ? "In" : "NotIn", values);
        }

        if (text.Contains(' ', StringComparison.Ordinal) || text.IndexOfAny(['<', '>']) >= 0)
        {
            throw new FormatException($"\"{text}\" is not a requirement: use KEY=VALUE, KEY!=VALUE, KEY in (A,B), KEY notin (A,B), KEY or !KEY");
        }

        return Expression(Key(text, text), "Exists", null);
    }

    private static V1LabelSelectorRequirement Expression(string key, string op, IList<string>? values) =>
        new() { Key = key, OperatorProperty = op, Values = values };

    private static string Key(string key, string requirement) =>
        LabelSyntax.CheckKey(key) is { } problem ? throw new FormatException($"in \"{requirement}\": {problem}") : key;

    private static string Value(string value, string requirement) =>
        LabelSyntax.CheckValue(value) is { } problem ? throw new FormatException($"in \"{requirement}\": {problem}") : value;
}

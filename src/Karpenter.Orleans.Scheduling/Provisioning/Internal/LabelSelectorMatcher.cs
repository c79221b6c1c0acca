using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>A compiled <see cref="V1LabelSelector"/>. A null selector matches nothing, an empty one everything.</summary>
internal sealed class LabelSelectorMatcher
{
    private readonly KeyValuePair<string, string>[] _equals;
    private readonly (string Key, string Op, HashSet<string> Values)[] _expressions;

    private LabelSelectorMatcher(KeyValuePair<string, string>[] equals, (string, string, HashSet<string>)[] expressions, string canonical, bool matchesNothing)
    {
        _equals = equals;
        _expressions = expressions;
        Canonical = canonical;
        MatchesNothing = matchesNothing;
    }

    /// <summary>A stable text form, used to deduplicate topology groups.</summary>
    public string Canonical { get; }

    public bool MatchesNothing { get; }

    public static LabelSelectorMatcher Compile(V1LabelSelector? selector, IEnumerable<KeyValuePair<string, string>>? extraEquals = null)
    {
        if (selector is null)
        {
            return new LabelSelectorMatcher([], [], "<none>", true);
        }

        var equals = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            equals[k] = v;
        }

        foreach (var (k, v) in extraEquals ?? [])
        {
            equals[k] = v;
        }

        var exprs = (selector.MatchExpressions ?? [])
            .Select(e => (e.Key, e.OperatorProperty, new HashSet<string>(e.Values ?? [], StringComparer.Ordinal)))
            .OrderBy(e => e.Key, StringComparer.Ordinal).ThenBy(e => e.OperatorProperty, StringComparer.Ordinal)
            .ToArray();
        var canonical = string.Join(",", equals.Select(p => $"{p.Key}={p.Value}")) + "|" +
            string.Join(",", exprs.Select(e => $"{e.Key} {e.OperatorProperty} [{string.Join(",", e.Item3.Order(StringComparer.Ordinal))}]"));
        return new LabelSelectorMatcher([.. equals], exprs, canonical, false);
    }

    public bool Matches(IDictionary<string, string>? labels)
    {
        if (MatchesNothing)
        {
            return false;
        }

        foreach (var (k, v) in _equals)
        {
            if (labels is null || !labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }

        foreach (var (key, op, values) in _expressions)
        {
            string? actual = null;
            var has = labels is not null && labels.TryGetValue(key, out actual);
            var ok = op switch
            {
                "In" => has && values.Contains(actual!),
                "NotIn" => !has || !values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}

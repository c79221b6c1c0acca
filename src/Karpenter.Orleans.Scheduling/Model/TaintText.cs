using System.Diagnostics.CodeAnalysis;
using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>
/// A taint as text, <c>key=value:Effect</c> (the form <c>kubectl taint</c> takes): how a NodeClaim's taints
/// travel to the cloud in its launch request and how the cluster's index keeps them. <see cref="Format"/>
/// writes <c>key=:Effect</c> for a taint without a value, as the index always has, so stored taints and
/// NodePool hashes stay what they were.
/// </summary>
public static class TaintText
{
    private static readonly string[] Effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    public static string Format(V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(taint);
        return $"{taint.Key}={taint.Value}:{taint.Effect}";
    }

    /// <summary>
    /// Reads <c>key=value:Effect</c>, <c>key=:Effect</c> or <c>key:Effect</c>; without an effect the taint
    /// is <c>NoSchedule</c>. An empty key or an effect Kubernetes does not know is a <see cref="FormatException"/>
    /// naming the text.
    /// </summary>
    public static V1Taint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryRead(text, out var taint, out var problem) ? taint : throw new FormatException(problem);
    }

    /// <summary><see cref="Parse"/> without the exception: false for text that does not read.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out V1Taint? taint)
    {
        taint = null;
        return text is not null && TryRead(text, out taint, out _);
    }

    private static bool TryRead(string text, [NotNullWhen(true)] out V1Taint? taint, [NotNullWhen(false)] out string? problem)
    {
        taint = null;
        var colon = text.LastIndexOf(':');
        var keyValue = colon >= 0 ? text[..colon] : text;
        var effect = colon >= 0 ? text[(colon + 1)..] : "NoSchedule";
        var eq = keyValue.IndexOf('=', StringComparison.Ordinal);
        var key = eq >= 0 ? keyValue[..eq] : keyValue;
        var value = eq >= 0 ? keyValue[(eq + 1)..] : "";
        if (key.Length == 0)
        {
            problem = $"taint \"{text}\": the key is empty (expected key=value:Effect)";
            return false;
        }

        if (!Effects.Contains(effect, StringComparer.Ordinal))
        {
            problem = $"taint \"{text}\": effect \"{effect}\" is not one of {string.Join(", ", Effects)}";
            return false;
        }

        taint = new V1Taint { Key = key, Value = value.Length == 0 ? null : value, Effect = effect };
        problem = null;
        return true;
    }
}

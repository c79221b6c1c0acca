using System.Text.RegularExpressions;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>Kubernetes label syntax and Karpenter's restricted label domains (karpenter.sh/v1 CRD rules).</summary>
internal static partial class LabelSyntax
{
    // Deprecated and well-known keys the CRD lets requirements use although their domain is restricted.
    private static readonly HashSet<string> AllowedKubernetesIoKeys = new(StringComparer.Ordinal)
    {
        "beta.kubernetes.io/instance-type", "failure-domain.beta.kubernetes.io/region", "beta.kubernetes.io/os",
        "beta.kubernetes.io/arch", "failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/zone",
        "topology.kubernetes.io/region", "node.kubernetes.io/instance-type", "kubernetes.io/arch", "kubernetes.io/os",
        "node.kubernetes.io/windows-build",
    };

    /// <summary>The problem with a qualified name ("prefix/name"), or null when it is valid.</summary>
    public static string? CheckKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash < 0 ? null : key[..slash];
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (prefix is not null && (prefix.Length is 0 or > 253 || !Dns1123Subdomain().IsMatch(prefix)))
        {
            return $"\"{key}\" is not a valid label key: the prefix must be a DNS subdomain (lowercase letters, digits, '-' and '.')";
        }

        if (name.Length is 0 or > 63 || !NamePart().IsMatch(name))
        {
            return $"\"{key}\" is not a valid label key: the name must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
        }

        return null;
    }

    /// <summary>The problem with a label value, or null when it is valid.</summary>
    public static string? CheckValue(string value) =>
        value.Length <= 63 && LabelValue().IsMatch(value)
            ? null
            : $"\"{value}\" is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

    /// <summary>Why a requirement may not use <paramref name="key"/>, or null when it may.</summary>
    public static string? RequirementKeyRestriction(string key)
    {
        var domain = Domain(key);
        if (key == "kubernetes.io/hostname")
        {
            return "label \"kubernetes.io/hostname\" is restricted";
        }

        if (domain.EndsWith("kubernetes.io", StringComparison.Ordinal) && !AllowedKubernetesIoKeys.Contains(key) &&
            !domain.EndsWith("node.kubernetes.io", StringComparison.Ordinal) &&
            !domain.EndsWith("node-restriction.kubernetes.io", StringComparison.Ordinal))
        {
            return $"label domain \"kubernetes.io\" is restricted (key \"{key}\")";
        }

        if (domain.EndsWith("k8s.io", StringComparison.Ordinal) && !domain.EndsWith("kops.k8s.io", StringComparison.Ordinal))
        {
            return $"label domain \"k8s.io\" is restricted (key \"{key}\")";
        }

        if (key == "karpenter.sh/nodepool")
        {
            return "label \"karpenter.sh/nodepool\" is restricted; the NodePool sets it";
        }

        if (domain.EndsWith("karpenter.sh", StringComparison.Ordinal) && key != "karpenter.sh/capacity-type")
        {
            return $"label domain \"karpenter.sh\" is restricted (key \"{key}\")";
        }

        return null;
    }

    /// <summary>Why a NodePool template label may not use <paramref name="key"/>, or null when it may.</summary>
    public static string? TemplateLabelRestriction(string key)
    {
        if (key is "karpenter.sh/nodepool" or "kubernetes.io/hostname")
        {
            return $"label \"{key}\" is restricted";
        }

        return Domain(key).EndsWith("karpenter.sh", StringComparison.Ordinal) && key != "karpenter.sh/capacity-type"
            ? $"label domain \"karpenter.sh\" is restricted (key \"{key}\")"
            : null;
    }

    // As the CRD's CEL rules read it: everything before the first '/', or the whole key.
    private static string Domain(string key) => key.Split('/', 2)[0];

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex(@"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePart();

    [GeneratedRegex(@"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValue();
}

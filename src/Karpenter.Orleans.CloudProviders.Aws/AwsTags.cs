using System.Globalization;

namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>
/// The tags the provider puts on what it launches, with Karpenter's keys, so a Karpenter user's tooling and IAM
/// conditions still match; and EC2's limits on them. A value longer than EC2 takes is split into parts
/// (<see cref="Split"/>) and read back whole (<see cref="Join"/>), so a NodeClaim's labels carried in a tag
/// survive a NodePool with many labels.
/// </summary>
public static class AwsTags
{
    public const string NodePool = "karpenter.sh/nodepool";
    public const string NodeClaim = "karpenter.sh/nodeclaim";
    public const string NodeClass = "karpenter.k8s.aws/ec2nodeclass";
    public const string EksClusterName = "eks:eks-cluster-name";
    public const string Name = "Name";

    /// <summary>The idempotency token of the launch, so a retried launch after a crash finds the instance it made.</summary>
    public const string ClientToken = "karpo.io/client-token";

    /// <summary>EC2: at most this many tags per resource (tags with the reserved <c>aws:</c> prefix not counted).</summary>
    public const int MaxTagsPerResource = 50;

    /// <summary>EC2: a tag key has at most this many Unicode characters.</summary>
    public const int MaxKeyLength = 128;

    /// <summary>EC2: a tag value has at most this many Unicode characters.</summary>
    public const int MaxValueLength = 256;

    /// <summary>The key of the <c>n</c>th part (from 2) of a split value is <c>&lt;key&gt;/part-&lt;n&gt;</c>.</summary>
    public const string PartSeparator = "/part-";

    /// <summary><c>kubernetes.io/cluster/&lt;cluster&gt;</c> = <c>owned</c>.</summary>
    public static string ClusterOwnership(string clusterId) => $"kubernetes.io/cluster/{clusterId}";

    /// <summary>The provider id a node's <c>spec.providerID</c> carries: <c>aws:///&lt;zone&gt;/&lt;instance-id&gt;</c>.</summary>
    public static string ProviderId(string zone, string instanceId) => $"aws:///{zone}/{instanceId}";

    /// <summary>The key of part <paramref name="part"/> (2 or more) of <paramref name="key"/>'s value.</summary>
    public static string PartKey(string key, int part) => key + PartSeparator + part.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The tags that carry <paramref name="value"/> within <see cref="MaxValueLength"/>: the value itself when it
    /// fits, else its first 256 characters under <paramref name="key"/> and the rest, 256 at a time, under
    /// <see cref="PartKey"/> 2, 3, ... A surrogate pair is never cut, so every part is valid UTF-8.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Split(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length <= MaxValueLength)
        {
            return [new(key, value)];
        }

        var parts = new List<KeyValuePair<string, string>>();
        var start = 0;
        while (start < value.Length)
        {
            var length = Math.Min(MaxValueLength, value.Length - start);
            if (start + length < value.Length && char.IsHighSurrogate(value[start + length - 1]))
            {
                length--;
            }

            parts.Add(new(parts.Count == 0 ? key : PartKey(key, parts.Count + 1), value.Substring(start, length)));
            start += length;
        }

        return parts;
    }

    /// <summary>
    /// EC2's tags of a resource as they were meant: each split value joined again under its key, its part tags
    /// left out. A part whose key has no first part, or that follows a gap, stays the tag it is.
    /// </summary>
    public static Dictionary<string, string> Join(IEnumerable<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            all[key] = value;
        }

        var joined = new Dictionary<string, string>(all, StringComparer.Ordinal);
        foreach (var (key, value) in all)
        {
            // Only a full first part can have been split; a short value is whole whatever tags sit beside it.
            if (value.Length < MaxValueLength - 1 || !all.ContainsKey(PartKey(key, 2)))
            {
                continue;
            }

            var whole = new System.Text.StringBuilder(value);
            for (var part = 2; all.TryGetValue(PartKey(key, part), out var rest); part++)
            {
                whole.Append(rest);
                joined.Remove(PartKey(key, part));
            }

            joined[key] = whole.ToString();
        }

        return joined;
    }
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>
/// The hash of a NodePool's template a NodeClaim records when it is created, as Karpenter's
/// <c>karpenter.sh/nodepool-hash</c>: a different hash of the current NodePool means the claim drifted.
/// It covers what Karpenter's static drift compares (the template's labels, annotations, taints, startup
/// taints and node class); requirements are checked on their own, by whether the claim still meets them.
/// </summary>
public static class NodePoolHash
{
    /// <summary>
    /// 16 lowercase hex digits. Key order and taint order do not matter. The text hashed must stay as it is:
    /// claims already stored hold these hashes, and a change would mark every one of them drifted.
    /// </summary>
    public static string Of(NodePool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var text = JsonSerializer.Serialize(new
        {
            Labels = pool.Labels.OrderBy(p => p.Key, StringComparer.Ordinal).ToList(),
            Annotations = pool.Annotations.OrderBy(p => p.Key, StringComparer.Ordinal).ToList(),
            Taints = pool.Taints.Select(TaintText.Format).Order(StringComparer.Ordinal).ToList(),
            StartupTaints = pool.StartupTaints.Select(TaintText.Format).Order(StringComparer.Ordinal).ToList(),
            NodeClass = pool.NodeClassRef?.ToString(),
        });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
    }
}

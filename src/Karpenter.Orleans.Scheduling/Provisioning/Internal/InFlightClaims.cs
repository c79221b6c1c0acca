using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// The input's in-flight NodeClaims checked once: unique names, a joined node that is in the input and
/// claimed once, and nominations that name pods of the input, pending, each on one claim. Bad input is an
/// <see cref="ArgumentException"/> naming the claim and the pod or node.
/// </summary>
internal sealed class InFlightClaims
{
    private readonly HashSet<string> _found = new(StringComparer.Ordinal);

    private InFlightClaims()
    {
    }

    /// <summary>Pod key (namespace/name) to the claim it is nominated to.</summary>
    public Dictionary<string, InFlightNodeClaim> Nominations { get; } = new(StringComparer.Ordinal);

    /// <summary>Joined node name to its claim.</summary>
    public Dictionary<string, InFlightNodeClaim> ByNode { get; } = new(StringComparer.Ordinal);

    /// <summary>The input's nodes by name (filled only when a claim has joined).</summary>
    public Dictionary<string, V1Node> Nodes { get; } = new(StringComparer.Ordinal);

    public static InFlightClaims Validate(SchedulingInput input)
    {
        var result = new InFlightClaims();
        if (input.NodeClaims.Count == 0)
        {
            return result;
        }

        if (input.NodeClaims.Any(c => c.NodeName is not null))
        {
            foreach (var node in input.Nodes)
            {
                result.Nodes.TryAdd(node.Metadata?.Name ?? "", node);
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in input.NodeClaims)
        {
            if (claim is null)
            {
                throw new ArgumentException("NodeClaims: a null entry", nameof(input));
            }

            if (string.IsNullOrEmpty(claim.Name) || string.IsNullOrEmpty(claim.NodePool) || string.IsNullOrEmpty(claim.InstanceType))
            {
                throw new ArgumentException($"NodeClaim \"{claim.Name}\": name, NodePool and instance type are required", nameof(input));
            }

            if (!names.Add(claim.Name))
            {
                throw new ArgumentException($"NodeClaim \"{claim.Name}\" is listed twice", nameof(input));
            }

            if (claim.NodeName is { } nodeName)
            {
                if (!result.Nodes.ContainsKey(nodeName))
                {
                    throw new ArgumentException($"NodeClaim \"{claim.Name}\" registered as node \"{nodeName}\", which is not in the input's Nodes", nameof(input));
                }

                if (!result.ByNode.TryAdd(nodeName, claim))
                {
                    throw new ArgumentException($"NodeClaims \"{result.ByNode[nodeName].Name}\" and \"{claim.Name}\" both registered as node \"{nodeName}\"", nameof(input));
                }
            }

            foreach (var pod in claim.NominatedPods)
            {
                if (!result.Nominations.TryAdd(pod, claim))
                {
                    throw new ArgumentException($"pod {pod} is nominated to both NodeClaim \"{result.Nominations[pod].Name}\" and NodeClaim \"{claim.Name}\"", nameof(input));
                }
            }
        }

        return result;
    }

    /// <summary>The claim <paramref name="pod"/> is nominated to, or null; remembers that the pod was seen.</summary>
    public InFlightNodeClaim? NominatedTo(V1Pod pod)
    {
        var key = PodCompiler.Key(pod);
        if (!Nominations.TryGetValue(key, out var claim))
        {
            return null;
        }

        _found.Add(key);
        return claim;
    }

    /// <summary>A bound pod cannot also hold a nomination: the caller must say which is true.</summary>
    public static void RejectBoundNomination(V1Pod pod, InFlightNodeClaim? claim)
    {
        if (claim is not null)
        {
            throw new ArgumentException(
                $"pod {PodCompiler.Key(pod)} is nominated to NodeClaim \"{claim.Name}\" but bound to node \"{pod.Spec.NodeName}\"; nominate only pods without spec.nodeName", "input");
        }
    }

    /// <summary>Every nominated pod must be one of the input's pods.</summary>
    public void RequireAllFound()
    {
        if (_found.Count == Nominations.Count)
        {
            return;
        }

        var missing = Nominations.Keys.Where(k => !_found.Contains(k)).Order(StringComparer.Ordinal).First();
        throw new ArgumentException($"NodeClaim \"{Nominations[missing].Name}\" nominates pod {missing}, which is not in the input's Pods", "input");
    }
}

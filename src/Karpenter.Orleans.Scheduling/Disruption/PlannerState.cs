using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>
/// The planner's in-memory copy of the cluster: nodes by name (iterated in name order, so nothing depends
/// on hashing), the pods bound to each, and pods waiting for a node. Applying an action removes its nodes,
/// adds its replacements and rebinds the moved pods, so the next action is computed on the cluster as it
/// will be.
/// </summary>
internal sealed class PlannerState
{
    private readonly ClaimNames _names = new();

    // Every name a node of this plan ever had, so a replacement never takes the name of a node it replaces.
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public PlannerState(DisruptionInput input)
    {
        Input = input;
        foreach (var pool in input.NodePools)
        {
            Pools[pool.Name] = pool;
        }

        foreach (var node in input.Nodes)
        {
            if (string.IsNullOrEmpty(node.Name))
            {
                throw new ArgumentException("DisruptionInput.Nodes: a node has no metadata.name", nameof(input));
            }

            _taken.Add(node.Name);
            if (!Nodes.TryAdd(node.Name, new NodeEntry(WithPoolAllocatable(node))))
            {
                throw new ArgumentException($"DisruptionInput.Nodes: node {node.Name} is listed twice", nameof(input));
            }
        }

        foreach (var pod in input.Pods)
        {
            if (PodFacts.IsTerminal(pod))
            {
                continue;
            }

            var nodeName = pod.Spec?.NodeName;
            if (string.IsNullOrEmpty(nodeName))
            {
                Unbound.Add(pod);
            }
            else if (Nodes.TryGetValue(nodeName, out var entry))
            {
                entry.Pods.Add(pod);
            }

            // A pod bound to a node the input does not list runs somewhere the planner cannot see: left alone.
        }

        Folding = PodFolding.Create([.. AllPods]);
    }

    public DisruptionInput Input { get; }

    public DateTimeOffset Now => Input.Now;

    public SortedDictionary<string, NodeEntry> Nodes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, NodePool> Pools { get; } = new(StringComparer.Ordinal);

    /// <summary>Pods with no node yet (pending in the input, or left without a home by a forceful action).</summary>
    public List<V1Pod> Unbound { get; } = [];

    /// <summary>PDB indices covering each pod (namespace/name); labels do not change when a pod moves.</summary>
    public Dictionary<string, List<int>> PdbCoverage { get; } = new(StringComparer.Ordinal);

    /// <summary>Scheduling shape of each pod (namespace/name), for grouping interchangeable nodes.</summary>
    public Dictionary<string, string> PodShapes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Single-node consolidations proven impossible, by node. A convergence run does not prove them again in
    /// later passes: the cluster only gets fuller, so what did not fit rarely fits later.
    /// </summary>
    public Dictionary<string, BlockedNode> SingleNodeFailures { get; } = new(StringComparer.Ordinal);

    /// <summary>Multi-node checks that failed, by kind and node names (see DisruptionPass.Remembered).</summary>
    public HashSet<string> MultiNodeFailures { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests of each pod (namespace/name), parsed once.</summary>
    public Dictionary<string, ResourceVector> PodRequests { get; } = new(StringComparer.Ordinal);

    // The same by pod object: what-ifs ask for every bound pod, and building keys was a cost of its own.
    private readonly Dictionary<V1Pod, ResourceVector> _requestsByPod = new(ReferenceEqualityComparer.Instance);

    private readonly Dictionary<V1Pod, V1Pod> _pending = new(ReferenceEqualityComparer.Instance);

    /// <summary>The pod as a pending pod, copied once per pod object (the solver does not change its input).</summary>
    public V1Pod Pending(V1Pod pod)
    {
        if (!_pending.TryGetValue(pod, out var copy))
        {
            copy = PodFacts.Pending(pod);
            _pending[pod] = copy;
        }

        return copy;
    }

    /// <summary>What the pod requests of a node, as the solver computes it.</summary>
    public ResourceVector Requests(V1Pod pod)
    {
        if (_requestsByPod.TryGetValue(pod, out var r))
        {
            return r;
        }

        var key = PodFacts.Key(pod);
        if (!PodRequests.TryGetValue(key, out r))
        {
            r = Provisioning.Internal.PodRequests.Of(pod.Spec);
            PodRequests[key] = r;
        }

        _requestsByPod[pod] = r;
        return r;
    }

    /// <summary>Allocatable minus what the node's pods request (DaemonSets not yet running not counted).</summary>
    public ResourceVector Room(NodeEntry e)
    {
        if (e.RoomFor != e.Pods.Count || !ReferenceEquals(e.RoomOf, e.Cluster.Node))
        {
            var room = ResourceVector.FromQuantities(e.Cluster.Node.Status?.Allocatable);
            foreach (var p in e.Pods)
            {
                room -= Requests(p);
            }

            e.Room = room;
            e.RoomFor = e.Pods.Count;
            e.RoomOf = e.Cluster.Node;
        }

        return e.Room;
    }

    /// <summary>How what-ifs pass bound pods to the solver in few stand-ins; null passes every pod as it is (same answers, slower).</summary>
    public PodFolding? Folding { get; set; }

    public IEnumerable<V1Pod> AllPods => Nodes.Values.SelectMany(n => n.Pods).Concat(Unbound);

    /// <summary>Takes the action's nodes away, adds its replacements (renamed when a name is taken) and rebinds the moved pods.</summary>
    public DisruptionAction Apply(DisruptionAction action)
    {
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        var replacements = new List<PlannedNodeClaim>(action.Replacements.Count);
        foreach (var claim in action.Replacements)
        {
            var name = claim.Name;
            while (!_taken.Add(name))
            {
                name = _names.Next(claim.NodePool);
            }

            var final = name == claim.Name ? claim : claim with { Name = name };
            renamed[claim.Name] = name;
            replacements.Add(final);
            Nodes[name] = new NodeEntry(ToClusterNode(final)) { Launching = true };
        }

        var moves = action.Moves.Select(m => renamed.TryGetValue(m.To, out var to) ? m with { To = to } : m).ToList();
        var target = moves.ToDictionary(m => m.Pod, m => m.To, StringComparer.Ordinal);
        foreach (var name in action.Nodes)
        {
            if (!Nodes.Remove(name, out var gone))
            {
                continue;
            }

            foreach (var pod in gone.Pods)
            {
                if (!PodFacts.Moves(pod))
                {
                    continue;
                }

                if (target.TryGetValue(PodFacts.Key(pod), out var to) && Nodes.TryGetValue(to, out var dest))
                {
                    dest.Pods.Add(PodFacts.BoundTo(pod, to));
                    dest.Touched = true;
                }
                else
                {
                    Unbound.Add(PodFacts.Pending(pod));
                }
            }
        }

        return action with { Replacements = replacements, Moves = moves };
    }

    /// <summary>Whether a node of this plan has or had the name.</summary>
    public bool IsTaken(string name) => _taken.Contains(name);

    /// <summary>A NodeClaim name no node of this plan has had and not in <paramref name="local"/>, which it joins.</summary>
    public string FreshName(string nodePool, ISet<string> local)
    {
        while (true)
        {
            var name = _names.Next(nodePool);
            if (!_taken.Contains(name) && local.Add(name))
            {
                return name;
            }
        }
    }

    /// <summary>Between passes of a convergence run: the replacements are up and every move has settled.</summary>
    public void CompletePass()
    {
        foreach (var entry in Nodes.Values)
        {
            if (entry.Launching)
            {
                entry.Cluster = entry.Cluster with { InitializedAt = Now };
                entry.Launching = false;
                entry.Settled = true;
            }

            if (entry.Touched)
            {
                entry.Touched = false;
                entry.Settled = true;
            }
        }
    }

    /// <summary>
    /// What a node of the type holds under its NodePool's node class (kubelet maxPods and reservations), as
    /// provisioning launches it; null when the NodePool gives nothing for the type (the catalog's applies).
    /// </summary>
    public ResourceVector? PoolAllocatable(string? nodePool, string? instanceType)
    {
        if (nodePool is null || instanceType is null || !Pools.TryGetValue(nodePool, out var pool))
        {
            return null;
        }

        if (pool.AllocatableByType is { } byType && byType.TryGetValue(instanceType, out var allocatable))
        {
            return allocatable;
        }

        _types ??= Input.Catalog.InstanceTypes.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return pool.MaxPods is { } max && _types.TryGetValue(instanceType, out var type)
            ? new ResourceVector(type.Allocatable.MilliCpu, type.Allocatable.Memory, max, type.Allocatable.EphemeralStorage, type.Allocatable.Extended)
            : null;
    }

    private Dictionary<string, InstanceType>? _types;

    /// <summary>What a new node of the type may hold in each NodePool (the catalog's where a NodePool says nothing).</summary>
    public IEnumerable<ResourceVector> LaunchAllocatables(InstanceType type) =>
        Pools.Count == 0 ? [type.Allocatable] : Pools.Values.Select(p => PoolAllocatable(p.Name, type.Name) ?? type.Allocatable);

    // A registered node whose kubelet has not reported allocatable yet holds what its NodePool launched it with.
    private ClusterNode WithPoolAllocatable(ClusterNode node)
    {
        var reported = node.Node.Status?.Allocatable;
        if ((reported is not null && reported.ContainsKey(ResourceNames.Cpu) && reported.ContainsKey(ResourceNames.Memory))
            || PoolAllocatable(node.NodePool, node.InstanceType) is not { } allocatable)
        {
            return node;
        }

        var quantities = allocatable.ToQuantityStrings().ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value), StringComparer.Ordinal);
        return node with
        {
            Node = new V1Node
            {
                ApiVersion = node.Node.ApiVersion,
                Kind = node.Node.Kind,
                Metadata = node.Node.Metadata,
                Spec = node.Node.Spec,
                Status = new V1NodeStatus
                {
                    Allocatable = quantities,
                    Capacity = node.Node.Status?.Capacity is { Count: > 0 } capacity ? capacity : quantities,
                    Conditions = node.Node.Status?.Conditions,
                    Addresses = node.Node.Status?.Addresses,
                },
            },
        };
    }

    private ClusterNode ToClusterNode(PlannedNodeClaim claim)
    {
        var type = Input.Catalog.InstanceTypes.FirstOrDefault(t => t.Name == claim.InstanceType);
        var labels = new Dictionary<string, string>(claim.Labels, StringComparer.Ordinal) { [WellKnownLabels.Hostname] = claim.Name };
        var allocatable = (PoolAllocatable(claim.NodePool, claim.InstanceType) ?? type?.Allocatable)?.ToQuantityStrings().ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value), StringComparer.Ordinal);
        var capacity = type?.Capacity.ToQuantityStrings().ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value), StringComparer.Ordinal);
        return new ClusterNode
        {
            Node = new V1Node
            {
                ApiVersion = "v1",
                Kind = "Node",
                Metadata = new V1ObjectMeta { Name = claim.Name, Labels = labels },
                Spec = new V1NodeSpec { Taints = claim.Taints.Count > 0 ? [.. claim.Taints] : null },
                Status = new V1NodeStatus { Allocatable = allocatable, Capacity = capacity },
            },
            NodeClaim = claim.Name,
            NodePool = claim.NodePool,
            InstanceType = claim.InstanceType,
            Zone = claim.Zone,
            CapacityType = claim.CapacityType,
            PricePerHour = claim.PricePerHour,
            CreatedAt = Now,
        };
    }
}

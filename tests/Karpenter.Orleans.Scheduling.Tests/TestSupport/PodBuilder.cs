using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>
/// Fluent builder for pods: containers, init containers, overhead, selectors, node affinity, tolerations,
/// topology spread, pod (anti-)affinity, host ports, and binding to a node.
/// </summary>
public sealed class PodBuilder
{
    private readonly List<V1Container> _containers = [];
    private readonly List<V1Container> _initContainers = [];
    private readonly Dictionary<string, string> _labels = [];
    private readonly Dictionary<string, string> _nodeSelector = [];
    private readonly List<V1NodeSelectorTerm> _requiredTerms = [];
    private readonly List<V1PreferredSchedulingTerm> _preferredTerms = [];
    private readonly List<V1Toleration> _tolerations = [];
    private readonly List<V1TopologySpreadConstraint> _spread = [];
    private readonly List<V1PodAffinityTerm> _affinity = [];
    private readonly List<V1WeightedPodAffinityTerm> _preferredAffinity = [];
    private readonly List<V1PodAffinityTerm> _antiAffinity = [];
    private readonly List<V1WeightedPodAffinityTerm> _preferredAntiAffinity = [];
    private readonly List<V1ContainerPort> _hostPorts = [];
    private Dictionary<string, ResourceQuantity>? _overhead;
    private string? _nodeName;

    public PodBuilder(string name, string cpu = "100m", string memory = "128Mi", string ns = "default")
    {
        Name = name;
        Namespace = ns;
        Container(cpu, memory);
    }

    public string Name { get; }

    public string Namespace { get; }

    /// <summary>The "namespace/name" key the solver reports.</summary>
    public string Key => $"{Namespace}/{Name}";

    public string? NodeName => _nodeName;

    /// <summary>Replaces the containers with one container of these requests.</summary>
    public PodBuilder Requests(string cpu, string memory)
    {
        _containers.Clear();
        return Container(cpu, memory);
    }

    public PodBuilder Container(string? cpu, string? memory)
    {
        _containers.Add(new V1Container { Name = $"c{_containers.Count}", Image = "app", Resources = Resources(cpu, memory) });
        return this;
    }

    public PodBuilder InitContainer(string? cpu, string? memory)
    {
        _initContainers.Add(new V1Container { Name = $"init{_initContainers.Count}", Image = "init", Resources = Resources(cpu, memory) });
        return this;
    }

    /// <summary>A sidecar: an init container with restartPolicy Always, which keeps running beside the app.</summary>
    public PodBuilder Sidecar(string? cpu, string? memory)
    {
        _initContainers.Add(new V1Container { Name = $"init{_initContainers.Count}", Image = "sidecar", RestartPolicy = "Always", Resources = Resources(cpu, memory) });
        return this;
    }

    public PodBuilder Overhead(string cpu, string memory)
    {
        _overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) };
        return this;
    }

    public PodBuilder Label(string key, string value)
    {
        _labels[key] = value;
        return this;
    }

    public PodBuilder NodeSelector(string key, string value)
    {
        _nodeSelector[key] = value;
        return this;
    }

    /// <summary>Adds one required node-affinity term (terms are ORed; expressions in a term are ANDed).</summary>
    public PodBuilder RequiredNodeAffinity(params V1NodeSelectorRequirement[] expressions)
    {
        _requiredTerms.Add(new V1NodeSelectorTerm { MatchExpressions = [.. expressions] });
        return this;
    }

    public PodBuilder PreferredNodeAffinity(int weight, params V1NodeSelectorRequirement[] expressions)
    {
        _preferredTerms.Add(new V1PreferredSchedulingTerm { Preference = new V1NodeSelectorTerm { MatchExpressions = [.. expressions] }, Weight = weight });
        return this;
    }

    public PodBuilder Tolerate(string key, string? value, string? effect = "NoSchedule")
    {
        _tolerations.Add(new V1Toleration { Key = key, OperatorProperty = "Equal", Value = value, Effect = effect });
        return this;
    }

    public PodBuilder TolerateExists(string? key, string? effect = null)
    {
        _tolerations.Add(new V1Toleration { Key = key, OperatorProperty = "Exists", Effect = effect });
        return this;
    }

    public PodBuilder Spread(string topologyKey, int maxSkew, string selectorKey, string selectorValue, string whenUnsatisfiable = "DoNotSchedule", int? minDomains = null)
    {
        _spread.Add(new V1TopologySpreadConstraint
        {
            TopologyKey = topologyKey,
            MaxSkew = maxSkew,
            WhenUnsatisfiable = whenUnsatisfiable,
            MinDomains = minDomains,
            LabelSelector = Selector(selectorKey, selectorValue),
        });
        return this;
    }

    public PodBuilder PodAffinity(string topologyKey, string selectorKey, string selectorValue)
    {
        _affinity.Add(Term(topologyKey, selectorKey, selectorValue));
        return this;
    }

    public PodBuilder PreferredPodAffinity(int weight, string topologyKey, string selectorKey, string selectorValue)
    {
        _preferredAffinity.Add(new V1WeightedPodAffinityTerm { PodAffinityTerm = Term(topologyKey, selectorKey, selectorValue), Weight = weight });
        return this;
    }

    public PodBuilder PodAntiAffinity(string topologyKey, string selectorKey, string selectorValue)
    {
        _antiAffinity.Add(Term(topologyKey, selectorKey, selectorValue));
        return this;
    }

    public PodBuilder PreferredPodAntiAffinity(int weight, string topologyKey, string selectorKey, string selectorValue)
    {
        _preferredAntiAffinity.Add(new V1WeightedPodAffinityTerm { PodAffinityTerm = Term(topologyKey, selectorKey, selectorValue), Weight = weight });
        return this;
    }

    public PodBuilder HostPort(int port, string protocol = "TCP")
    {
        _hostPorts.Add(new V1ContainerPort { ContainerPort = port, HostPort = port, Protocol = protocol });
        return this;
    }

    /// <summary>Binds the pod to an existing node (spec.nodeName), making it a running pod.</summary>
    public PodBuilder BoundTo(string nodeName)
    {
        _nodeName = nodeName;
        return this;
    }

    public V1Pod Build(DateTime created, string uid)
    {
        var containers = _containers.Select(Clone).ToList();
        if (_hostPorts.Count > 0 && containers.Count > 0)
        {
            containers[0].Ports = [.. _hostPorts];
        }

        var affinity = new V1Affinity();
        if (_requiredTerms.Count > 0 || _preferredTerms.Count > 0)
        {
            affinity.NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = _requiredTerms.Count > 0 ? new V1NodeSelector { NodeSelectorTerms = [.. _requiredTerms] } : null,
                PreferredDuringSchedulingIgnoredDuringExecution = _preferredTerms.Count > 0 ? [.. _preferredTerms] : null,
            };
        }

        if (_affinity.Count > 0 || _preferredAffinity.Count > 0)
        {
            affinity.PodAffinity = new V1PodAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = _affinity.Count > 0 ? [.. _affinity] : null,
                PreferredDuringSchedulingIgnoredDuringExecution = _preferredAffinity.Count > 0 ? [.. _preferredAffinity] : null,
            };
        }

        if (_antiAffinity.Count > 0 || _preferredAntiAffinity.Count > 0)
        {
            affinity.PodAntiAffinity = new V1PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = _antiAffinity.Count > 0 ? [.. _antiAffinity] : null,
                PreferredDuringSchedulingIgnoredDuringExecution = _preferredAntiAffinity.Count > 0 ? [.. _preferredAntiAffinity] : null,
            };
        }

        var hasAffinity = affinity.NodeAffinity is not null || affinity.PodAffinity is not null || affinity.PodAntiAffinity is not null;
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = Name,
                NamespaceProperty = Namespace,
                Uid = uid,
                CreationTimestamp = created,
                Labels = _labels.Count > 0 ? new Dictionary<string, string>(_labels) : null,
            },
            Spec = new V1PodSpec
            {
                NodeName = _nodeName,
                Containers = containers,
                InitContainers = _initContainers.Count > 0 ? [.. _initContainers.Select(Clone)] : null,
                Overhead = _overhead is null ? null : new Dictionary<string, ResourceQuantity>(_overhead),
                NodeSelector = _nodeSelector.Count > 0 ? new Dictionary<string, string>(_nodeSelector) : null,
                Affinity = hasAffinity ? affinity : null,
                Tolerations = _tolerations.Count > 0 ? [.. _tolerations] : null,
                TopologySpreadConstraints = _spread.Count > 0 ? [.. _spread] : null,
            },
            Status = new V1PodStatus { Phase = _nodeName is null ? "Pending" : "Running" },
        };
    }

    /// <summary>A node-selector expression for affinity terms.</summary>
    public static V1NodeSelectorRequirement Expr(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length > 0 ? [.. values] : null };

    public static V1LabelSelector Selector(string key, string value) =>
        new() { MatchLabels = new Dictionary<string, string> { [key] = value } };

    private static V1PodAffinityTerm Term(string topologyKey, string key, string value) =>
        new() { TopologyKey = topologyKey, LabelSelector = Selector(key, value) };

    private static V1ResourceRequirements Resources(string? cpu, string? memory)
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        if (cpu is not null)
        {
            requests["cpu"] = new ResourceQuantity(cpu);
        }

        if (memory is not null)
        {
            requests["memory"] = new ResourceQuantity(memory);
        }

        return new V1ResourceRequirements { Requests = requests };
    }

    private static V1Container Clone(V1Container c) => new()
    {
        Name = c.Name,
        Image = c.Image,
        RestartPolicy = c.RestartPolicy,
        Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity>(c.Resources.Requests) },
    };
}

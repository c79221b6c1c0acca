using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>An existing (ready) node: hostname, zone and capacity-type labels, taints and allocatable.</summary>
public sealed class NodeBuilder
{
    private readonly string _name;
    private readonly Dictionary<string, string> _labels = [];
    private readonly List<V1Taint> _taints = [];
    private string _cpu = "4";
    private string _memory = "16Gi";
    private string _pods = "110";
    private string? _capacityCpu;
    private bool _reportsResources = true;

    public NodeBuilder(string name, string zone = "zone-a")
    {
        _name = name;
        _labels[WellKnownLabels.Hostname] = name;
        _labels[WellKnownLabels.Zone] = zone;
        _labels[WellKnownLabels.CapacityType] = CapacityTypes.OnDemand;
    }

    public string Name => _name;

    public NodeBuilder Label(string key, string value)
    {
        _labels[key] = value;
        return this;
    }

    public NodeBuilder NodePool(string pool) => Label(WellKnownLabels.NodePool, pool);

    public NodeBuilder InstanceType(string type) => Label(WellKnownLabels.InstanceType, type);

    public NodeBuilder Allocatable(string cpu, string memory, int pods = 110)
    {
        _cpu = cpu;
        _memory = memory;
        _pods = pods.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return this;
    }

    /// <summary>CPU capacity when it differs from allocatable (limits count capacity).</summary>
    public NodeBuilder CapacityCpu(string cpu)
    {
        _capacityCpu = cpu;
        return this;
    }

    /// <summary>A node that joined before its kubelet reported capacity and allocatable (not initialized).</summary>
    public NodeBuilder WithoutResources()
    {
        _reportsResources = false;
        return this;
    }

    public NodeBuilder Taint(string key, string? value, string effect = "NoSchedule")
    {
        _taints.Add(new V1Taint { Key = key, Value = value, Effect = effect });
        return this;
    }

    public V1Node Build() => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = _name, Labels = new Dictionary<string, string>(_labels) },
        Spec = new V1NodeSpec { Taints = _taints.Count > 0 ? [.. _taints] : null },
        Status = new V1NodeStatus
        {
            Allocatable = _reportsResources ? Quantities(_cpu) : null,
            Capacity = _reportsResources ? Quantities(_capacityCpu ?? _cpu) : null,
            Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
        },
    };

    private Dictionary<string, ResourceQuantity> Quantities(string cpu) => new()
    {
        ["cpu"] = new ResourceQuantity(cpu),
        ["memory"] = new ResourceQuantity(_memory),
        ["pods"] = new ResourceQuantity(_pods),
    };
}

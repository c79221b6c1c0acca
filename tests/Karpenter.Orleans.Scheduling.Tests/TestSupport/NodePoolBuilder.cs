using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>Fluent builder for karpenter.sh/v1 NodePools as the solver sees them.</summary>
public sealed class NodePoolBuilder
{
    private readonly string _name;
    private readonly Dictionary<string, string> _labels = [];
    private readonly List<NodeSelectorRequirementWithMinValues> _requirements = [];
    private readonly List<V1Taint> _taints = [];
    private readonly List<V1Taint> _startupTaints = [];
    private readonly Dictionary<string, string> _limits = [];
    private int _weight;

    public NodePoolBuilder(string name = "default") => _name = name;

    public string Name => _name;

    public NodePoolBuilder Weight(int weight)
    {
        _weight = weight;
        return this;
    }

    public NodePoolBuilder Label(string key, string value)
    {
        _labels[key] = value;
        return this;
    }

    public NodePoolBuilder Requirement(string key, RequirementOperator op, params string[] values) => Requirement(key, op, null, values);

    public NodePoolBuilder Requirement(string key, RequirementOperator op, int? minValues, params string[] values)
    {
        _requirements.Add(new NodeSelectorRequirementWithMinValues(key, op, values, minValues));
        return this;
    }

    public NodePoolBuilder Taint(string key, string? value, string effect = "NoSchedule")
    {
        _taints.Add(new V1Taint { Key = key, Value = value, Effect = effect });
        return this;
    }

    public NodePoolBuilder StartupTaint(string key, string? value, string effect = "NoSchedule")
    {
        _startupTaints.Add(new V1Taint { Key = key, Value = value, Effect = effect });
        return this;
    }

    public NodePoolBuilder Limit(string resource, string quantity)
    {
        _limits[resource] = quantity;
        return this;
    }

    public NodePool Build() => new()
    {
        Name = _name,
        Weight = _weight,
        Labels = new Dictionary<string, string>(_labels),
        Requirements = [.. _requirements],
        Taints = [.. _taints],
        StartupTaints = [.. _startupTaints],
        Limits = new Dictionary<string, string>(_limits),
    };
}

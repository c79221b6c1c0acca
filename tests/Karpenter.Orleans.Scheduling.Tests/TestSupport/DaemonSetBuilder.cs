using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>A DaemonSet whose pod template has one container with the given requests.</summary>
public sealed class DaemonSetBuilder
{
    private readonly string _name;
    private readonly string _cpu;
    private readonly string _memory;
    private readonly Dictionary<string, string> _nodeSelector = [];
    private readonly List<V1Toleration> _tolerations = [];

    public DaemonSetBuilder(string name, string cpu, string memory)
    {
        _name = name;
        _cpu = cpu;
        _memory = memory;
    }

    public DaemonSetBuilder NodeSelector(string key, string value)
    {
        _nodeSelector[key] = value;
        return this;
    }

    public DaemonSetBuilder TolerateAll()
    {
        _tolerations.Add(new V1Toleration { OperatorProperty = "Exists" });
        return this;
    }

    public DaemonSetBuilder Tolerate(string key, string? value, string effect = "NoSchedule")
    {
        _tolerations.Add(new V1Toleration { Key = key, OperatorProperty = "Equal", Value = value, Effect = effect });
        return this;
    }

    public V1DaemonSet Build()
    {
        var labels = new Dictionary<string, string> { ["app"] = _name };
        return new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = new V1ObjectMeta { Name = _name, NamespaceProperty = "kube-system" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "agent",
                                Image = "agent",
                                Resources = new V1ResourceRequirements
                                {
                                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(_cpu), ["memory"] = new(_memory) },
                                },
                            },
                        ],
                        NodeSelector = _nodeSelector.Count > 0 ? new Dictionary<string, string>(_nodeSelector) : null,
                        Tolerations = _tolerations.Count > 0 ? [.. _tolerations] : null,
                    },
                },
            },
        };
    }
}

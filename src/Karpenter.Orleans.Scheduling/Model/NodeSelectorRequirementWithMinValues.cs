namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>One requirement as written in a NodePool (or a pod's node affinity, without minValues).</summary>
public sealed record NodeSelectorRequirementWithMinValues(
    string Key,
    RequirementOperator Operator,
    IReadOnlyList<string> Values,
    int? MinValues = null);

namespace Karpenter.Orleans.Scheduling.Model;

/// <summary>Node selector operators of karpenter.sh/v1 (Gte and Lte are Karpenter's additions).</summary>
public enum RequirementOperator
{
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
    Gte,
    Lte,
}

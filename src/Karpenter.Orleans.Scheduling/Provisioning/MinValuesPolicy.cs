namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>Karpenter's MIN_VALUES_POLICY: Strict fails a claim that cannot keep minValues; BestEffort relaxes it.</summary>
public enum MinValuesPolicy
{
    Strict,
    BestEffort,
}

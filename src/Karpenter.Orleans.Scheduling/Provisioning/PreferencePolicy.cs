namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>Karpenter's PREFERENCE_POLICY: Respect tries preferences first; Ignore drops them.</summary>
public enum PreferencePolicy
{
    Respect,
    Ignore,
}

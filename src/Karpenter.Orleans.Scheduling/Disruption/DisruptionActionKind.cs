namespace Karpenter.Orleans.Scheduling.Disruption;

/// <summary>Whether an action only removes nodes or also launches replacements first.</summary>
public enum DisruptionActionKind
{
    Delete,
    Replace,
}

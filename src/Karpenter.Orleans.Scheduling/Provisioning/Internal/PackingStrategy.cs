namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>How a new claim picks the instance types it fills towards.</summary>
internal enum PackingStrategy
{
    /// <summary>Karpenter's way: keep every type that fits and add pods while any type still fits.</summary>
    FillLargest,

    /// <summary>
    /// Fill the slack of the type each claim would launch now before anything else; otherwise put the pods
    /// where they add the least cost per pod (growing a claim into a larger type, or a new claim).
    /// </summary>
    MarginalCost,

    /// <summary>Aim each new claim at the type that carries the pending pods' overall mix most cheaply; fill by marginal cost.</summary>
    MixTarget,

    /// <summary>
    /// No sharing: each group's pods go on existing nodes or on claims of their own group (others' only when no new claim can take them), each new claim
    /// on the single type that holds the chunk's pods most cheaply (<see cref="PerGroupPacking"/>).
    /// </summary>
    PerGroup,
}

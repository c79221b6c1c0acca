namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>How a new claim picks the instance types it fills towards.</summary>
internal enum PackingStrategy
{
    /// <summary>Karpenter's way: keep every type that fits and add pods while any type still fits.</summary>
    FillLargest,

    /// <summary>Aim each new claim at the type with the lowest price per pod for the group that opens it.</summary>
    CheapestPerPod,

    /// <summary>Aim each new claim at the type the LP relaxation uses most for the group that opens it.</summary>
    LpGuided,
}

namespace Karpenter.Orleans.Grains.Shared;

/// <summary>vCPUs held by one NodeClaim under one quota; Committed once its instance runs.</summary>
public sealed class QuotaHold
{
    public string QuotaCode { get; set; } = "";

    public int Vcpus { get; set; }

    public bool Committed { get; set; }

    public string ClusterId { get; set; } = "";
}

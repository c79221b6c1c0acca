namespace Karpenter.Orleans.CloudProviders;

/// <summary>An instance's state, as EC2 names them.</summary>
public enum CloudInstanceState
{
    Pending,
    Running,
    ShuttingDown,
    Terminated,
}

namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>The kinds of call a fault set with <see cref="SimulatedCloudProvider.FailCalls"/> makes fail.</summary>
[Flags]
public enum SimulatedCloudOperations
{
    None = 0,

    /// <summary><see cref="ICloudProvider.LaunchAsync"/>.</summary>
    Launch = 1,

    /// <summary><see cref="ICloudProvider.TerminateAsync"/>.</summary>
    Terminate = 2,

    /// <summary><see cref="ICloudProvider.ListAsync"/>, which orphan collection and the simulated fleet use.</summary>
    List = 4,

    /// <summary><see cref="ICloudProvider.GetAsync"/>, which the reconcile uses to see an instance still exists.</summary>
    Get = 8,

    /// <summary><see cref="ICloudProvider.ReceiveInterruptionsAsync"/>.</summary>
    ReceiveInterruptions = 16,

    All = Launch | Terminate | List | Get | ReceiveInterruptions,
}

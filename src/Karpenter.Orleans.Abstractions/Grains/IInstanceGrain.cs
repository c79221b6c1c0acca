namespace Karpenter.Orleans.Abstractions;

/// <summary>The cloud's view of one instance, keyed "{provider}/{region}/{instanceId}", linked to its NodeClaim.</summary>
public interface IInstanceGrain : IGrainWithStringKey
{
    Task RecordAsync(InstanceRecord record);

    Task<InstanceRecord?> GetAsync();

    /// <summary>Removes the stored record (the instance and its claim are gone).</summary>
    Task ForgetAsync();

    /// <summary>Records the notice and forwards it to the instance's NodeClaim.</summary>
    Task NotifyInterruptionAsync(InterruptionNotice notice);
}

namespace Karpenter.Orleans.Abstractions;

/// <summary>The cloud's view of one instance, keyed "{provider}/{region}/{instanceId}", linked to its NodeClaim.</summary>
public interface IInstanceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Binds the instance to the record's NodeClaim, or updates the record of the claim it is bound to.
    /// An instance belongs to one claim only: when another claim holds it, nothing changes and that
    /// claim's record is returned; null means the record was taken.
    /// </summary>
    Task<InstanceRecord?> BindAsync(InstanceRecord record);

    Task<InstanceRecord?> GetAsync();

    /// <summary>Removes the stored record (the instance and its claim are gone).</summary>
    Task ForgetAsync();

    /// <summary>Records the notice and forwards it to the instance's NodeClaim.</summary>
    Task NotifyInterruptionAsync(InterruptionNotice notice);
}

namespace Karpenter.Orleans.Abstractions;

/// <summary>
/// The vCPU quota ledger of one account in one region, keyed "{provider}/{account}/{region}". Launches
/// hold vCPUs before they call the cloud, so clusters sharing the account never overcommit it.
/// </summary>
public interface IQuotaGrain : IGrainWithStringKey
{
    /// <summary>Holds vCPUs for a launch. Asking again for the same reservation id returns the existing hold.</summary>
    Task<QuotaDecision> TryReserveAsync(QuotaRequest request);

    /// <summary>
    /// The launch succeeded: the hold becomes usage, shrunk to <paramref name="vcpus"/> when given (the
    /// hold covered the largest type the launch might get; the instance says which it got).
    /// </summary>
    Task CommitAsync(string reservationId, int? vcpus = null);

    /// <summary>The launch failed or the instance ended: the vCPUs are free again.</summary>
    Task ReleaseAsync(string reservationId);

    Task SetLimitAsync(string quotaCode, int vcpus);

    /// <summary>
    /// The cloud refused the launch of <paramref name="reservationId"/> for this quota (EC2's VcpuLimitExceeded or
    /// MaxSpotInstanceCountExceeded): the account's real limit is below the ledger's. The hold is released, and
    /// until the provider's quotas are next asked the limit is the vCPUs in use now, so no cluster of the account
    /// launches into the same refusal meanwhile.
    /// </summary>
    Task ReportExceededAsync(string quotaCode, string reservationId);

    Task<IReadOnlyList<QuotaLine>> GetLedgerAsync();
}

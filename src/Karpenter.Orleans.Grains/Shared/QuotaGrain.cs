using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Grains.Shared;

/// <summary>
/// The vCPU ledger of one account region. Every decision is taken between awaits, so each sees every
/// earlier hold: that is what keeps clusters launching at the same moment from overcommitting the account.
/// Reentrant only so that the writes of a burst are grouped (<see cref="CoalescingWriter"/>).
/// </summary>
[Reentrant]
public sealed class QuotaGrain(
    [PersistentState("quota", StorageNames.Karpo)] IPersistentState<QuotaState> state,
    IOptions<ProvisioningOptions> options) : Grain, IQuotaGrain
{
    private CoalescingWriter? _writer;

    private Task WriteAsync() => (_writer ??= new CoalescingWriter(state.WriteStateAsync)).WriteAsync();

    async Task<QuotaDecision> IQuotaGrain.TryReserveAsync(QuotaRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Vcpus < 0 || string.IsNullOrEmpty(request.QuotaCode) || string.IsNullOrEmpty(request.ReservationId))
        {
            throw new ArgumentException("a quota request needs a reservation id, a quota code and vCPUs >= 0", nameof(request));
        }

        var holds = state.State.Holds;
        var limit = Limit(request.QuotaCode);
        var existing = holds.GetValueOrDefault(request.ReservationId);
        var others = Used(request.QuotaCode) - (existing is not null && existing.QuotaCode == request.QuotaCode ? existing.Vcpus : 0);
        if (others + (long)request.Vcpus > limit)
        {
            var (inUse, reserved) = Split(request.QuotaCode);
            return new QuotaDecision(false, request.QuotaCode, limit, inUse, reserved,
                $"quota {request.QuotaCode}: {request.Vcpus} vCPU more would exceed the limit of {limit} ({inUse} in use, {reserved} held for launches)");
        }

        if (existing is null || existing.QuotaCode != request.QuotaCode || existing.Vcpus != request.Vcpus)
        {
            holds[request.ReservationId] = new QuotaHold
            {
                QuotaCode = request.QuotaCode,
                Vcpus = request.Vcpus,
                Committed = existing?.Committed ?? false,
                ClusterId = request.ClusterId,
            };
            await WriteAsync();
        }

        var (u, r) = Split(request.QuotaCode);
        return new QuotaDecision(true, request.QuotaCode, limit, u, r, null);
    }

    async Task IQuotaGrain.CommitAsync(string reservationId, int? vcpus)
    {
        if (state.State.Holds.TryGetValue(reservationId, out var hold) && (!hold.Committed || vcpus is { } v && v != hold.Vcpus))
        {
            hold.Committed = true;
            // Only ever shrinks: the hold was granted for at least this much.
            if (vcpus is { } actual && actual >= 0 && actual < hold.Vcpus)
            {
                hold.Vcpus = actual;
            }

            await WriteAsync();
        }
    }

    async Task IQuotaGrain.ReleaseAsync(string reservationId)
    {
        if (state.State.Holds.Remove(reservationId))
        {
            await WriteAsync();
        }
    }

    async Task IQuotaGrain.SetLimitAsync(string quotaCode, int vcpus)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vcpus);
        state.State.Limits[quotaCode] = vcpus;
        await WriteAsync();
    }

    Task<IReadOnlyList<QuotaLine>> IQuotaGrain.GetLedgerAsync()
    {
        var codes = state.State.Limits.Keys.Concat(state.State.Holds.Values.Select(h => h.QuotaCode)).Distinct().Order(StringComparer.Ordinal);
        IReadOnlyList<QuotaLine> lines = codes.Select(c =>
        {
            var (inUse, reserved) = Split(c);
            return new QuotaLine(c, Limit(c), inUse, reserved);
        }).ToList();
        return Task.FromResult(lines);
    }

    private int Limit(string code) =>
        state.State.Limits.TryGetValue(code, out var l) ? l : options.Value.DefaultVcpuQuota ?? int.MaxValue;

    private long Used(string code) => state.State.Holds.Values.Where(h => h.QuotaCode == code).Sum(h => (long)h.Vcpus);

    private (int InUse, int Reserved) Split(string code)
    {
        var inUse = 0;
        var reserved = 0;
        foreach (var h in state.State.Holds.Values.Where(h => h.QuotaCode == code))
        {
            if (h.Committed)
            {
                inUse += h.Vcpus;
            }
            else
            {
                reserved += h.Vcpus;
            }
        }

        return (inUse, reserved);
    }
}

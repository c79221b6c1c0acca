using Karpenter.Orleans.CloudProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Grains.Shared;

/// <summary>
/// The vCPU ledger of one account region. Every decision is taken between awaits, so each sees every
/// earlier hold: that is what keeps clusters launching at the same moment from overcommitting the account.
/// Reentrant only so that the writes of a burst are grouped (<see cref="CoalescingWriter"/>).
/// A limit is, first, one set through <see cref="IQuotaGrain.SetLimitAsync"/> (an operator's word), else
/// the quota the account's cloud provider reports (<see cref="ICloudProvider.GetVcpuQuotasAsync"/>, asked
/// again every few minutes, not stored: the provider is its source), else the configured default.
/// </summary>
[Reentrant]
public sealed class QuotaGrain(
    [PersistentState("quota", StorageNames.Karpo)] IPersistentState<QuotaState> state,
    IOptions<ProvisioningOptions> options,
    ICloudProviders providers,
    ServiceClock time,
    ILogger<QuotaGrain> logger) : Grain, IQuotaGrain
{
    /// <summary>Quotas change by request to the cloud, rarely; this bounds how long a raised one goes unseen.</summary>
    private static readonly TimeSpan ProviderQuotaRefresh = TimeSpan.FromMinutes(5);

    private CoalescingWriter? _writer;
    private IReadOnlyDictionary<string, int> _providerLimits = new Dictionary<string, int>(StringComparer.Ordinal);
    private DateTimeOffset? _providerLimitsAt;
    private Task? _refreshing;

    // quota code → the limit a cloud refusal showed (the vCPUs in use then), until the provider's quotas are next asked.
    private readonly Dictionary<string, (int Limit, DateTimeOffset Until)> _refused = new(StringComparer.Ordinal);

    private Task WriteAsync() => (_writer ??= new CoalescingWriter(state.WriteStateAsync)).WriteAsync();

    async Task<QuotaDecision> IQuotaGrain.TryReserveAsync(QuotaRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Vcpus < 0 || string.IsNullOrEmpty(request.QuotaCode) || string.IsNullOrEmpty(request.ReservationId))
        {
            throw new ArgumentException("a quota request needs a reservation id, a quota code and vCPUs >= 0", nameof(request));
        }

        await RefreshProviderLimitsAsync();
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

    async Task IQuotaGrain.ReportExceededAsync(string quotaCode, string reservationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(quotaCode);
        state.State.Holds.Remove(reservationId);
        var (inUse, _) = Split(quotaCode);
        // As long as a reported quota goes unseen: the cloud's refusal is as fresh a word as its quotas.
        _refused[quotaCode] = (inUse, time.Now + ProviderQuotaRefresh);
        logger.LogWarning("Quota ledger {Key}: the cloud refused a launch under {QuotaCode}; its limit is taken as the {InUse} vCPU in use until {Until:O}",
            this.GetPrimaryKeyString(), quotaCode, inUse, _refused[quotaCode].Until);
        await WriteAsync();
    }

    async Task IQuotaGrain.SetLimitAsync(string quotaCode, int vcpus)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vcpus);
        state.State.Limits[quotaCode] = vcpus;
        await WriteAsync();
    }

    async Task<IReadOnlyList<QuotaLine>> IQuotaGrain.GetLedgerAsync()
    {
        await RefreshProviderLimitsAsync();
        var codes = state.State.Limits.Keys.Concat(_providerLimits.Keys).Concat(state.State.Holds.Values.Select(h => h.QuotaCode))
            .Distinct().Order(StringComparer.Ordinal);
        IReadOnlyList<QuotaLine> lines = codes.Select(c =>
        {
            var (inUse, reserved) = Split(c);
            return new QuotaLine(c, Limit(c), inUse, reserved);
        }).ToList();
        return lines;
    }

    private int Limit(string code)
    {
        var limit = state.State.Limits.TryGetValue(code, out var l) ? l
            : _providerLimits.TryGetValue(code, out var p) ? p
            : options.Value.DefaultVcpuQuota ?? int.MaxValue;
        // The cloud's word of a moment ago beats a limit it has just shown to be too high.
        return _refused.TryGetValue(code, out var refused) && time.Now < refused.Until ? Math.Min(limit, refused.Limit) : limit;
    }

    /// <summary>Asks the provider for the account's quotas when they are older than the refresh interval; one question at a time.</summary>
    private Task RefreshProviderLimitsAsync()
    {
        if (_refreshing is { IsCompleted: false } running)
        {
            return running;
        }

        if (_providerLimitsAt is { } at && time.Now - at < ProviderQuotaRefresh)
        {
            return Task.CompletedTask;
        }

        return _refreshing = AskProviderAsync();
    }

    private async Task AskProviderAsync()
    {
        // The key is "{provider}/{account}/{region}"; registration keeps '/' out of each part.
        var key = this.GetPrimaryKeyString().Split('/');
        try
        {
            if (key.Length == 3 && providers.Names.Contains(key[0]))
            {
                using var caller = CloudProviderMetrics.Caller("quota");
                var quotas = await providers.Get(key[0]).GetVcpuQuotasAsync(key[1], key[2]);
                _providerLimits = quotas is null
                    ? new Dictionary<string, int>(StringComparer.Ordinal)
                    : quotas.Where(q => q.Value >= 0).ToDictionary(q => q.Key, q => q.Value, StringComparer.Ordinal);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The last quotas known stay; launches go on under them rather than stop.
            logger.LogWarning(ex, "Quota ledger {Key}: the provider's vCPU quotas could not be read; keeping the last known", this.GetPrimaryKeyString());
        }

        _providerLimitsAt = time.Now;
    }

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

using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// Bounds the CPU-bound solves the silo's cluster grains run at once (<see cref="ProvisioningOptions.MaxConcurrentSolves"/>).
/// A grain waits for its turn asynchronously, so a fleet of clusters batching together queues its solves
/// instead of running them all at a fraction of the machine each and starving the thread pool that also
/// serves the API and the grains' other calls.
/// </summary>
public sealed class SolveGate(IOptions<ProvisioningOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Slots(options.Value.MaxConcurrentSolves));

    /// <summary>Runs <paramref name="solve"/> on the thread pool once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<T> solve)
    {
        await _slots.WaitAsync().ConfigureAwait(false);
        try
        {
            return await Task.Run(solve).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private static int Slots(int configured) => configured > 0 ? configured : Environment.ProcessorCount;
}

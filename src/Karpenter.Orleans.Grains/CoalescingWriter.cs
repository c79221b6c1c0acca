namespace Karpenter.Orleans.Grains;

/// <summary>
/// Group commit for a reentrant grain's state: one write runs at a time, and every caller that changed
/// the state while it ran waits for the single write that follows. A shared grain (the quota ledger, the
/// fleet) then persists a burst of hundreds of launches in a handful of writes instead of one each,
/// and each caller still returns only once its change is stored.
/// </summary>
internal sealed class CoalescingWriter(Func<Task> write)
{
    private bool _writing;
    private TaskCompletionSource? _next;

    /// <summary>Completes when a write that started after this call has finished.</summary>
    public Task WriteAsync()
    {
        _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var mine = _next.Task;
        if (!_writing)
        {
            _ = PumpAsync();
        }

        return mine;
    }

    private async Task PumpAsync()
    {
        _writing = true;
        try
        {
            while (_next is { } batch)
            {
                _next = null;
                try
                {
                    await write();
                    batch.SetResult();
                }
                catch (Exception ex)
                {
                    batch.SetException(ex);
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }
}

namespace Karpenter.Orleans.Grains;

/// <summary>
/// Orders state writes of a reentrant grain: a write starts only after the previous one finished, so
/// interleaved calls never write concurrently (which the storage's etag check would reject).
/// </summary>
internal sealed class SerialWriter
{
    private Task _last = Task.CompletedTask;

    public Task WriteAsync(Func<Task> write)
    {
        var previous = _last;
        _last = Run(previous, write);
        return _last;
    }

    private static async Task Run(Task previous, Func<Task> write)
    {
        try
        {
            await previous;
        }
        catch (Exception)
        {
            // The earlier caller saw its failure; this write still goes ahead with the newer state.
        }

        await write();
    }
}

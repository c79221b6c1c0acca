namespace Karpenter.Orleans.Service.Tests.TestSupport;

/// <summary>Waits for a condition fed by one-way grain messages (which have no reply to await).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeoutSeconds}s waiting until {what}");
            }

            await Task.Delay(20);
        }
    }
}

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// Grains check what they are given and refuse with <see cref="ArgumentException"/>; on the routes that
/// hand a grain caller input, that refusal is the caller's 400, not the server's 500.
/// </summary>
internal static class GrainValidation
{
    public static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ArgumentException exception)
        {
            throw ApiException.BadRequest(ApiErrorMiddleware.WithoutParameterSuffix(exception.Message), exception.ParamName);
        }
    }

    public static Task CallAsync(Func<Task> call) => CallAsync(async () =>
    {
        await call();
        return true;
    });
}

using System.Text.RegularExpressions;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// Turns failures into status codes with an <see cref="ApiError"/> body, so clients always get the same
/// error shape: refusals (<see cref="ApiException"/>), the server's own bad-request and too-large
/// rejections, and an unavailable cluster (grains' argument errors are mapped where input reaches them, see <see cref="GrainValidation"/>).
/// </summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            var (status, error) = Map(exception);
            if (status >= StatusCodes.Status500InternalServerError)
            {
                logger.LogError(exception, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            }

            context.Response.Clear();
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(error, context.RequestAborted);
        }
    }

    private static (int Status, ApiError Error) Map(Exception exception) => exception switch
    {
        ApiException api => (api.StatusCode, api.Error),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (StatusCodes.Status413PayloadTooLarge, new ApiError("the request body is too large", "body")),
        BadHttpRequestException bad => (bad.StatusCode, new ApiError("the request could not be read", "body")),

        SiloUnavailableException or OrleansMessageRejectionException or TimeoutException =>
            (StatusCodes.Status503ServiceUnavailable, new ApiError("the service is starting or overloaded; retry shortly")),
        _ => (StatusCodes.Status500InternalServerError, new ApiError("internal error")),
    };

    // ArgumentException appends " (Parameter 'x')"; the field already says which.
    public static string WithoutParameterSuffix(string message) => ParameterSuffix().Replace(message, string.Empty);

    [GeneratedRegex(@" \(Parameter '[^']*'\)$")]
    private static partial Regex ParameterSuffix();
}

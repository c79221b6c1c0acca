using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>A request the API refuses; <see cref="ApiErrorMiddleware"/> turns it into the status code and an <see cref="ApiError"/> body.</summary>
internal sealed class ApiException(int statusCode, string error, string? field = null) : Exception(error)
{
    public int StatusCode { get; } = statusCode;

    public ApiError Error { get; } = new(error, field);

    public static ApiException BadRequest(string error, string? field = null) => new(StatusCodes.Status400BadRequest, error, field);

    public static ApiException NotFound(string error, string? field = null) => new(StatusCodes.Status404NotFound, error, field);

    public static ApiException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {limit} bytes", "body");
}

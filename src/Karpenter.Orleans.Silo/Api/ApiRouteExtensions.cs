using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>OpenAPI metadata shared by the API's routes.</summary>
internal static class ApiRouteExtensions
{
    /// <summary>Declares the <see cref="ApiError"/> answers a route can give besides its success.</summary>
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder route, params int[] statusCodes)
    {
        foreach (var status in statusCodes)
        {
            route.Produces<ApiError>(status);
        }

        return route.Produces<ApiError>(StatusCodes.Status401Unauthorized).Produces<ApiError>(StatusCodes.Status403Forbidden)
            .Produces<ApiError>(StatusCodes.Status429TooManyRequests);
    }

    /// <summary>A JSON body the handler reads itself (to name bad fields), declared for OpenAPI.</summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder route)
        where T : notnull =>
        route.Accepts<T>("application/json").Produces<ApiError>(StatusCodes.Status413PayloadTooLarge);
}

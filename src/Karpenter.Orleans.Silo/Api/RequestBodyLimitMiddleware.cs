using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// Refuses a body whose declared length is over its limit (<see cref="KarpoApiOptions.BodyLimitOf"/>) before
/// anything reads it, and tells the server the same limit for bodies sent without a length.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<KarpoApiOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.BodyLimitOf(context.Request);
        if (context.Request.ContentLength > limit)
        {
            throw ApiException.TooLarge(limit);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}

using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Auth;

namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>
/// A browser cannot send an Authorization header to the dashboard, so <see cref="Path"/> takes the admin
/// token once (a form POST, never a query string that proxies would log) and sets it as an HttpOnly,
/// SameSite=Strict cookie scoped to the dashboard. Anything else still needs the header.
/// </summary>
internal static class DashboardLogin
{
    public const string Path = KarpoDashboardOptions.RoutePrefix + "/login";

    private const string Form = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Karpenter.Orleans dashboard</title></head>
        <body style="font-family: sans-serif; max-width: 32em; margin: 4em auto">
        <h1>Orleans dashboard</h1>
        <p>{0}</p>
        <form method="post" action="login">
        <label>Admin token <input type="password" name="token" autocomplete="off" autofocus></label>
        <button type="submit">Open</button>
        </form>
        <p><small>On the embedded default the admin token is the <code>adminToken</code> of the karpo client config the silo wrote at start.</small></p>
        </body></html>
        """;

    public static void MapDashboardLogin(this WebApplication app)
    {
        app.MapGet(Path, () => Page("The dashboard needs the admin token.", StatusCodes.Status200OK)).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(Path, LoginAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
    }

    private static async Task<IResult> LoginAsync(HttpContext context, ApiTokens tokens, FailedAuthenticationLimiter limiter)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        var token = form?["token"].ToString().Trim() ?? string.Empty;
        if (token.Length is 0 or > 512 || tokens.Match(token) != ApiTokenRole.Admin)
        {
            if (limiter.RecordFailure(FailedAuthenticationLimiter.ClientOf(context)) is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Json(new ApiError("too many failed authentication attempts from this client; retry later", "authorization"), statusCode: StatusCodes.Status429TooManyRequests);
            }

            return Page("That is not the admin token.", StatusCodes.Status401Unauthorized);
        }

        context.Response.Cookies.Append(BearerTokenHandler.DashboardCookie, token, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = KarpoDashboardOptions.RoutePrefix,
            IsEssential = true,
        });
        return Results.Redirect(KarpoDashboardOptions.RoutePrefix + "/", permanent: false);
    }

    private static IResult Page(string message, int status) =>
        Results.Content(string.Format(System.Globalization.CultureInfo.InvariantCulture, Form, WebUtility.HtmlEncode(message)), "text/html; charset=utf-8", statusCode: status);
}

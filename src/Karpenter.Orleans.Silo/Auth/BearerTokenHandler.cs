using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Console;
using Karpenter.Orleans.Silo.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c>: the admin token, a read token, or a
/// cluster's agent token (looked up by its SHA-256 in the fleet registry). Under the dashboard the admin
/// token may also come from the <see cref="DashboardCookie"/> a browser got from the login page, and on the
/// console's pages a read or admin token from the console's cookie (<see cref="ConsoleSession.Cookie"/>). Failures
/// are counted per client (<see cref="FailedAuthenticationLimiter"/>). Answers 401, 403 and 429 with an
/// <see cref="ApiError"/> body. Tokens are never logged.
/// </summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokens tokens,
    AgentTokenCache agents,
    FailedAuthenticationLimiter limiter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The cookie the dashboard login sets; it holds the admin token and is sent only under the dashboard.</summary>
    public const string DashboardCookie = "karpo_dashboard";

    private const string BearerPrefix = "Bearer ";

    // Real tokens are ~50 characters; anything far longer is not worth hashing or looking up.
    private const int MaxTokenLength = 512;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return ConsoleSession.IsConsolePage(Request.Path) ? ConsoleCookieResult() : DashboardCookieResult();
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Failed("the Authorization header must be 'Bearer <token>'");
        }

        var token = header[BearerPrefix.Length..].Trim();
        if (token.Length is 0 or > MaxTokenLength)
        {
            return Failed("the token is not valid");
        }

        switch (tokens.Match(token))
        {
            case ApiTokenRole.Admin:
                return Success(new Claim(ClaimTypes.Role, KarpoRoles.Admin));
            case ApiTokenRole.Reader:
                return Success(new Claim(ClaimTypes.Role, KarpoRoles.Reader));
        }

        // A known agent is served from the cache even while its address is throttled.
        var clusterId = agents.FindCached(token);
        if (clusterId is null)
        {
            // A client that has failed too often gets no more lookups (and so no grain calls) until its window passes.
            var client = FailedAuthenticationLimiter.ClientOf(Context);
            if (limiter.IsExhausted(client))
            {
                return Failed("the token is not valid");
            }

            clusterId = await agents.FindClusterAsync(token);
        }

        return clusterId is null
            ? Failed("the token is not valid")
            : Success(new Claim(ClaimTypes.Role, KarpoRoles.Agent), new Claim(KarpoClaims.ClusterId, clusterId));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is AuthenticationThrottledException throttled)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            var seconds = Math.Max(1, (int)Math.Ceiling(throttled.RetryAfter.TotalSeconds));
            Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await Response.WriteAsJsonAsync(
                new ApiError($"too many failed authentication attempts from this client; retry in {seconds}s", "authorization"),
                Context.RequestAborted);
            return;
        }

        // A browser opening the dashboard or a console page without its cookie is sent to the sign-in form
        // rather than shown JSON; other clients get the API's 401.
        if (Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            if (Request.Path.StartsWithSegments(KarpoDashboardOptions.RoutePrefix, StringComparison.OrdinalIgnoreCase))
            {
                Response.Redirect(DashboardLogin.Path);
                return;
            }

            if (ConsoleSession.IsConsolePage(Request.Path))
            {
                Response.Redirect(ConsoleSession.LoginPath);
                return;
            }
        }

        var failed = result.Failure is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failed ? "Bearer error=\"invalid_token\"" : "Bearer";
        await Response.WriteAsJsonAsync(
            new ApiError(failed ? result.Failure!.Message : "a bearer token is required (Authorization: Bearer <token>)", "authorization"),
            Context.RequestAborted);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(
            new ApiError("this token is not allowed to do that", "authorization"),
            Context.RequestAborted);
    }

    /// <summary>Only the admin token opens the dashboard, and the cookie counts only there.</summary>
    private AuthenticateResult DashboardCookieResult()
    {
        if (!Request.Path.StartsWithSegments(KarpoDashboardOptions.RoutePrefix, StringComparison.OrdinalIgnoreCase)
            || !Request.Cookies.TryGetValue(DashboardCookie, out var token) || string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        return token.Length <= MaxTokenLength && tokens.Match(token) == ApiTokenRole.Admin
            ? Success(new Claim(ClaimTypes.Role, KarpoRoles.Admin))
            : Failed("the dashboard cookie does not hold the admin token; sign in again");
    }

    /// <summary>A read or admin token opens the console; an agent's token never does (it belongs to one cluster).</summary>
    private AuthenticateResult ConsoleCookieResult()
    {
        if (!Request.Cookies.TryGetValue(ConsoleSession.Cookie, out var token) || string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        return token.Length > MaxTokenLength ? Failed("the console cookie does not hold a read or admin token; sign in again")
            : tokens.Match(token) switch
            {
                ApiTokenRole.Admin => Success(new Claim(ClaimTypes.Role, KarpoRoles.Admin)),
                ApiTokenRole.Reader => Success(new Claim(ClaimTypes.Role, KarpoRoles.Reader)),
                _ => Failed("the console cookie does not hold a read or admin token; sign in again"),
            };
    }

    private AuthenticateResult Success(params Claim[] claims)
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    /// <summary>Counts the failure against the client; past its allowance the failure is a 429 rather than a 401.</summary>
    private AuthenticateResult Failed(string message) =>
        limiter.RecordFailure(FailedAuthenticationLimiter.ClientOf(Context)) is { } retryAfter
            ? AuthenticateResult.Fail(new AuthenticationThrottledException(retryAfter))
            : AuthenticateResult.Fail(message);
}

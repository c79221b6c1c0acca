using System.Security.Claims;
using System.Text.Encodings.Web;
using Karpenter.Orleans.Abstractions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c>: the admin token, a read token, or a
/// cluster's agent token (looked up by its SHA-256 in the fleet registry). Answers 401 and 403 with an
/// <see cref="ApiError"/> body. Tokens are never logged.
/// </summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiTokens tokens,
    AgentTokenCache agents)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    // Real tokens are ~50 characters; anything far longer is not worth hashing or looking up.
    private const int MaxTokenLength = 512;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("the Authorization header must be 'Bearer <token>'");
        }

        var token = header[BearerPrefix.Length..].Trim();
        if (token.Length is 0 or > MaxTokenLength)
        {
            return AuthenticateResult.Fail("the token is not valid");
        }

        var claims = tokens.Match(token) switch
        {
            ApiTokenRole.Admin => [new Claim(ClaimTypes.Role, KarpoRoles.Admin)],
            ApiTokenRole.Reader => [new Claim(ClaimTypes.Role, KarpoRoles.Reader)],
            _ => await AgentClaimsAsync(token),
        };

        if (claims is null)
        {
            return AuthenticateResult.Fail("the token is not valid");
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
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

    private async Task<Claim[]?> AgentClaimsAsync(string token)
    {
        var clusterId = await agents.FindClusterAsync(token);
        return clusterId is null ? null : [new Claim(ClaimTypes.Role, KarpoRoles.Agent), new Claim(KarpoClaims.ClusterId, clusterId)];
    }
}

using Karpenter.Orleans.Silo.Auth;

namespace Karpenter.Orleans.Silo.Console;

/// <summary>
/// The console's sign-in: a read or admin token posted once to <see cref="LoginPath"/> (with an antiforgery
/// token) and kept in an HttpOnly, SameSite=Strict cookie. A console page without a valid cookie is sent to
/// the sign-in page before anything is read from the fleet.
/// </summary>
internal static class ConsoleSession
{
    public const string Cookie = "karpo_console";

    public const string LoginPath = "/login";

    public const string LogoutPath = "/logout";

    private const string RoleItem = "karpo.console.role";

    /// <summary>The page routes the console owns; everything else (API, probes, metrics, dashboard) is not its business.</summary>
    public static bool IsConsolePage(PathString path) =>
        path == "/" || path.StartsWithSegments("/clusters") || path.StartsWithSegments("/nodeclaims")
        || path.StartsWithSegments("/pending") || path.StartsWithSegments("/capacity");

    public static ApiTokenRole? RoleOf(HttpContext context) => context.Items[RoleItem] as ApiTokenRole?;

    /// <summary>Lets a console page through only with a cookie holding a read or admin token.</summary>
    public static async Task GateAsync(HttpContext context, Func<Task> next)
    {
        if (IsConsolePage(context.Request.Path) && HttpMethods.IsGet(context.Request.Method))
        {
            var tokens = context.RequestServices.GetRequiredService<ApiTokens>();
            var role = context.Request.Cookies.TryGetValue(Cookie, out var token) && token.Length is > 0 and <= 512
                ? tokens.Match(token)
                : ApiTokenRole.None;
            if (role is not (ApiTokenRole.Reader or ApiTokenRole.Admin))
            {
                context.Response.Redirect(LoginPath);
                return;
            }

            context.Items[RoleItem] = role;
        }

        await next();
    }

    public static void SignIn(HttpContext context, string token) =>
        context.Response.Cookies.Append(Cookie, token, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });

    public static void SignOut(HttpContext context) => context.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/" });
}

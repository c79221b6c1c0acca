namespace Karpenter.Orleans.Silo.Console;

/// <summary>
/// The console's sign-in: a read or admin token posted once to <see cref="LoginPath"/> (with an antiforgery
/// token) and kept in an HttpOnly, SameSite=Strict cookie. The bearer handler reads the cookie on console pages
/// and the console policy admits read and admin only; a browser without it is sent to the sign-in page before
/// anything is read from the fleet.
/// </summary>
internal static class ConsoleSession
{
    public const string Cookie = "karpo_console";

    public const string LoginPath = "/login";

    public const string LogoutPath = "/logout";

    /// <summary>The page routes the console owns; everything else (API, probes, metrics, dashboard) is not its business.</summary>
    public static bool IsConsolePage(PathString path) =>
        path == "/" || path.StartsWithSegments("/clusters") || path.StartsWithSegments("/nodeclaims")
        || path.StartsWithSegments("/pending") || path.StartsWithSegments("/capacity") || path.StartsWithSegments(LogoutPath);

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

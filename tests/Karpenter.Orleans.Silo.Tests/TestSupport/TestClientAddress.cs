using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Karpenter.Orleans.Silo.Tests.TestSupport;

/// <summary>
/// The test server gives every request the same (empty) remote address; this startup filter, added only by
/// tests, takes it from <see cref="Header"/> so a test can play several clients against per-client limits.
/// </summary>
public sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, call) =>
        {
            if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address))
            {
                context.Connection.RemoteIpAddress = address;
            }

            await call(context);
        });
        next(app);
    };
}

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>The address a client on this machine reaches the silo at (the karpo config, the embedded agents).</summary>
internal static class LocalServiceUrl
{
    /// <summary>The first bound address, with wildcard hosts made loopback; <paramref name="fallback"/> before the server listens.</summary>
    public static string Resolve(IServer server, string fallback)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? fallback;
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return address.TrimEnd('/');
        }

        var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : uri.Host;
        return new UriBuilder(uri.Scheme, host, uri.Port).Uri.ToString().TrimEnd('/');
    }
}

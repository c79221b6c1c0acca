using Karpenter.Orleans.CloudProviders.Aws;
using Karpenter.Orleans.CloudProviders.Aws.Tests;
using Karpenter.Orleans.Silo.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Silo.Tests.Aws;

/// <summary>
/// The real silo with its simulated fleet on the AWS provider, pointed at moto through <c>Karpo:Aws</c>
/// settings. Only the client factory is swapped, for moto's dummy credentials and a handler that records
/// every EC2 call the provider makes.
/// </summary>
public sealed class AwsSiloFactory(IReadOnlyDictionary<string, string?> overrides, Func<DelegatingHandler> handler)
    : KarpoSiloFactory(overrides)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton(sp =>
            new AwsClientFactory(sp.GetRequiredService<IOptions<AwsProviderOptions>>().Value, MotoServer.Credentials, handler)));
    }
}

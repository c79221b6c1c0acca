using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.Instances;
using Karpenter.Orleans.CloudProviders.Aws.Interruption;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.CloudProviders.Aws.Quotas;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>Registers the AWS provider.</summary>
public static class AwsCloudServiceCollectionExtensions
{
    /// <summary>Adds the AWS provider as an <see cref="ICloudProvider"/> named "aws", options bound from <paramref name="section"/>.</summary>
    public static IServiceCollection AddAwsCloud(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<AwsProviderOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsProviderOptions>, AwsProviderOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AwsClientFactory(sp.GetRequiredService<IOptions<AwsProviderOptions>>().Value));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AwsProviderOptions>>().Value);
        services.TryAddSingleton<Ec2Resilience>();
        services.TryAddSingleton<AwsInstanceTypeProvider>();
        services.TryAddSingleton<AwsNodeClassResolver>();
        services.TryAddSingleton<AwsInstanceProvider>();
        services.TryAddSingleton<AwsInterruptionQueue>();
        services.TryAddSingleton<AwsVcpuQuotas>();
        services.TryAddSingleton<AwsCloudProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICloudProvider, AwsCloudProvider>(sp => sp.GetRequiredService<AwsCloudProvider>()));
        services.TryAddSingleton<ICloudProviders, CloudProviderRegistry>();
        return services;
    }
}

using Karpenter.Orleans.CloudProviders.Aws.Tests;

namespace Karpenter.Orleans.Service.Tests.Aws;

/// <summary>The grains' tests on the AWS provider: one moto_server for them, reset by each test.</summary>
[CollectionDefinition(Name)]
public sealed class AwsServiceCollection : ICollectionFixture<MotoServer>
{
    public const string Name = "aws-service";
}

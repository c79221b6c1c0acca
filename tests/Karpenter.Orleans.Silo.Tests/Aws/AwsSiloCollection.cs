using Karpenter.Orleans.CloudProviders.Aws.Tests;

namespace Karpenter.Orleans.Silo.Tests.Aws;

/// <summary>The silo tests that run the AWS provider against moto: one server for them, reset by each class.</summary>
[CollectionDefinition(Name)]
public sealed class AwsSiloCollection : ICollectionFixture<MotoServer>
{
    public const string Name = "aws-silo";
}

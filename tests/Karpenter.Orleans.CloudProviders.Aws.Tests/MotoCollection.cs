namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>Every class that talks to moto is in this collection: they share one server and reset it, so they must not run at the same time.</summary>
[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoServer>
{
    public const string Name = "moto";
}

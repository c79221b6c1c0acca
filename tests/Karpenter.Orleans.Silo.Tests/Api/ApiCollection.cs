using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>API tests share one silo (each silo costs seconds and a pair of ports); they use distinct cluster ids.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<KarpoSiloFactory>
{
    public const string Name = "Karpo API";
}

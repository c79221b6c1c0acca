namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>The CLI tests against the real silo share one (each costs seconds and a pair of ports); they use distinct cluster ids.</summary>
[CollectionDefinition(Name)]
public sealed class CliSiloCollection : ICollectionFixture<CliSiloFactory>
{
    public const string Name = "karpo CLI on the silo";
}

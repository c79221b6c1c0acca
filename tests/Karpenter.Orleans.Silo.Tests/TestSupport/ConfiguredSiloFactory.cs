namespace Karpenter.Orleans.Silo.Tests.TestSupport;

/// <summary>A test silo with some settings changed (null unsets one), optionally in a directory that outlives it.</summary>
public sealed class ConfiguredSiloFactory(IReadOnlyDictionary<string, string?> overrides, string? directory = null)
    : KarpoSiloFactory(overrides, directory);

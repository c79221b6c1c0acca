namespace Karpenter.Orleans.Fault.Tests;

/// <summary>The ports one silo process listens on.</summary>
internal sealed record SiloPorts(int Http, int Silo, int Gateway);

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// The clusters the CLI tests read on the shared silo. <see cref="Prod"/> (us-east-1, spend cap $10/hour) synced a
/// NodePool and three pending pods: two small ones the silo launched node claims for, and <see cref="HugePod"/>, which
/// no instance type holds. <see cref="Dev"/> (us-west-2, no cap) synced nothing.
/// </summary>
public sealed record CliFleet(string Prod, string Dev, string ProdAgentToken)
{
    public const string HugePod = "huge-0";

    public const string NodePool = "general";
}

namespace Karpenter.Orleans.Silo.Console;

/// <summary>How long the console's tables are: a page of a 10,000-node fleet stays a page of about a hundred kilobytes.</summary>
internal static class ConsolePaging
{
    public const int PageSize = 250;
}

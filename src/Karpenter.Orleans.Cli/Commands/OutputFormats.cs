using System.CommandLine;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary>The <c>-o</c> option shared by commands: human tables by default, JSON for machines.</summary>
internal static class OutputFormats
{
    public const string Table = "table";
    public const string Json = "json";

    public static Option<string> CreateOption()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "Output format: table (default) or json.",
            DefaultValueFactory = _ => Table,
            HelpName = "table|json",
        };
        option.AcceptOnlyFromAmong(Table, Json);
        return option;
    }
}

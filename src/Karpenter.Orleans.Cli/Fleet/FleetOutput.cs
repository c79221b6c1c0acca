using System.CommandLine;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The fleet commands' <c>-o</c> formats, kubectl's: <c>table</c> (default), <c>wide</c> (more columns), <c>json</c>
/// and <c>yaml</c> (the API's records, same field names), and <c>name</c> (one <c>kind/name</c> a line).
/// </summary>
internal static class FleetOutput
{
    public const string Table = "table";
    public const string Wide = "wide";
    public const string Json = "json";
    public const string Yaml = "yaml";
    public const string Name = "name";

    /// <summary>The option; <paramref name="names"/> is false for views that are not lists of named objects (capacity, cost).</summary>
    public static Option<string> CreateOption(bool names)
    {
        string[] formats = names ? [Table, Wide, Json, Yaml, Name] : [Table, Wide, Json, Yaml];
        var option = new Option<string>("--output", "-o")
        {
            Description = names
                ? "Output format: table (default), wide (more columns), json, yaml, or name (kind/name a line)."
                : "Output format: table (default), wide (same as table here), json or yaml.",
            DefaultValueFactory = _ => Table,
            HelpName = string.Join('|', formats),
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    public static Option<bool> CreateNoHeadersOption() => new("--no-headers")
    {
        Description = "Print table rows only: no header line and no summary (table and wide output).",
    };
}

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>How a command prints: the <c>-o</c> format and whether tables keep their header and summary.</summary>
internal sealed record OutputStyle(string Format, bool NoHeaders)
{
    public static OutputStyle Default { get; } = new(FleetOutput.Table, NoHeaders: false);

    public bool IsTable => Format is FleetOutput.Table or FleetOutput.Wide;

    public bool Wide => Format == FleetOutput.Wide;
}

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>A context as <c>karpo config get-contexts</c> prints it: its tokens masked, never in full.</summary>
internal sealed record ContextView(string Name, bool Current, string? Server, string Token, string AdminToken)
{
    public static ContextView Of(KarpoContext context, string? current) =>
        new(context.Name, context.Name == current, context.Server, TokenMask.Mask(context.Token), TokenMask.Mask(context.AdminToken));
}

namespace Karpenter.Orleans.Scheduling.Resources;

/// <summary>A field refused where it entered: the field path, the value (empty when there is none) and what is wrong with it.</summary>
public sealed record QuantityProblem(string Field, string Value, string Problem)
{
    /// <summary>"spec.containers[0].resources.requests.cpu: "-6" is negative".</summary>
    public string Message => Value.Length == 0 ? $"{Field}: {Problem}" : $"{Field}: \"{Value}\" {Problem}";

    public override string ToString() => Message;
}

namespace Karpenter.Orleans.Scheduling.Resources;

/// <summary>A quantity refused where it entered: the field path, the value and what is wrong with it.</summary>
public sealed record QuantityProblem(string Field, string Value, string Problem)
{
    /// <summary>"spec.containers[0].resources.requests.cpu: "-6" is negative".</summary>
    public string Message => $"{Field}: \"{Value}\" {Problem}";

    public override string ToString() => Message;
}

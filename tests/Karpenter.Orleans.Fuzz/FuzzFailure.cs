namespace Karpenter.Orleans.Fuzz;

/// <summary>An input that broke the contract: what it was, and what happened.</summary>
public sealed record FuzzFailure(string Target, byte[] Input, string Problem)
{
    /// <summary>The input as text (inputs are mostly text), for test output.</summary>
    public override string ToString() =>
        $"{Target}: {Problem}{Environment.NewLine}input ({Input.Length} bytes, base64): {Convert.ToBase64String(Input.AsSpan(0, Math.Min(Input.Length, 4096)))}";
}

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// An input was refused with the right error type but without what the contract promises (a status the
/// API does not use for bad bodies, no field, no file). Escapes the target so AFL counts it as a crash.
/// </summary>
public sealed class ContractViolationException : Exception
{
    public ContractViolationException()
    {
    }

    public ContractViolationException(string message)
        : base(message)
    {
    }

    public ContractViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

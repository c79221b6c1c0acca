using Karpenter.Orleans.Silo.Api;
using Microsoft.AspNetCore.Http;

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// One request body: read by the API's reader, then checked by the endpoint's own validation. The
/// contract: the body is accepted, or refused with an <see cref="ApiException"/> of status 400, 413 or
/// 415 naming a field.
/// </summary>
internal sealed class ApiBodyTarget<T>(string name, Lazy<ApiReaderHost> host, Action<T> validate) : FuzzTarget
    where T : class
{
    public override string Name => name;

    public override IReadOnlyList<string> Tokens => FuzzTokens.Json;

    public override FuzzOutcome Execute(byte[] input)
    {
        try
        {
            validate(host.Value.Read<T>(input));
            return FuzzOutcome.Accepted;
        }
        catch (ApiException refused)
        {
            Located(refused);
            Refused(refused);
            return FuzzOutcome.Refused;
        }
    }

    internal static void Located(ApiException refused)
    {
        if (refused.StatusCode is not (StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge or StatusCodes.Status415UnsupportedMediaType))
        {
            throw new ContractViolationException($"a bad body answered {refused.StatusCode}: {refused.Message}", refused);
        }

        if (string.IsNullOrEmpty(refused.Error.Field) || string.IsNullOrWhiteSpace(refused.Error.Error))
        {
            throw new ContractViolationException($"a refusal names no field: {refused.Message}", refused);
        }
    }
}

using System.Text;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// Multi-document YAML manifests as <c>karpo simulate</c> reads them. The contract: they load, or a
/// <see cref="ManifestException"/> names this file (and the document and field when it can).
/// </summary>
public sealed class ManifestTarget : FuzzTarget
{
    public const string Source = "fuzz.yaml";

    public override string Name => "manifest";

    public override IReadOnlyList<string> Tokens => FuzzTokens.Yaml;

    public override FuzzOutcome Execute(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            ManifestLoader.LoadText(Source, Encoding.UTF8.GetString(input));
            return FuzzOutcome.Accepted;
        }
        catch (ManifestException refused)
        {
            Located(refused, Source);
            Refused(refused);
            return FuzzOutcome.Refused;
        }
    }

    internal static void Located(ManifestException refused, string source)
    {
        if (refused.File != source || string.IsNullOrWhiteSpace(refused.Problem))
        {
            throw new ContractViolationException($"a manifest error does not name its file and problem: {refused.Message}", refused);
        }

        if (refused.Document is < 1)
        {
            throw new ContractViolationException($"a manifest error names document {refused.Document}: {refused.Message}", refused);
        }
    }
}

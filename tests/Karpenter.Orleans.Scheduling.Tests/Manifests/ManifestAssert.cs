using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

/// <summary>Loads input expected to be rejected and checks the message locates the problem.</summary>
internal static class ManifestAssert
{
    /// <summary>Loads <paramref name="yaml"/> as one file; asserts "FILE: document N ...: FIELD: ...problem...".</summary>
    public static ManifestException Rejects(string yaml, int document, string? field, string problem)
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("input.yaml", yaml);
        var ex = Assert.Throws<ManifestException>(() => ManifestLoader.Load([file]));
        AssertLocated(ex, file, document, field, problem);
        return ex;
    }

    public static void AssertLocated(ManifestException ex, string file, int? document, string? field, string problem)
    {
        Assert.Equal(file, ex.File);
        Assert.Equal(document, ex.Document);
        Assert.Equal(field, ex.Field);
        Assert.StartsWith(document is null ? $"{file}: " : $"{file}: document {document}", ex.Message, StringComparison.Ordinal);
        if (field is not null)
        {
            Assert.Contains($": {field}: ", ex.Message, StringComparison.Ordinal);
        }

        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }
}

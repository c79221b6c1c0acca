using Karpenter.Orleans.Scheduling.Tests.TestSupport;
namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>Bad input exits 1 with one located message on stderr and never a stack trace.</summary>
public sealed class SimulateInputErrorTests
{
    [Fact]
    public void MissingCatalogExitsOneNamingThePath()
    {
        using var dir = new ScratchFolder();
        var manifests = dir.Write("m.yaml", CliFixtures.OnePod);
        var catalog = Path.Combine(dir.Path, "no-such-catalog.json");

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests);

        AssertBadInput(run);
        Assert.Contains(catalog, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingManifestPathExitsOneNamingThePath()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = Path.Combine(dir.Path, "missing.yaml");

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests);

        AssertBadInput(run);
        Assert.Contains(manifests, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedYamlExitsOneNamingFileAndDocument()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("broken.yaml", CliFixtures.OnePod + """

            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: broken
              labels: [unclosed
            """);

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests);

        AssertBadInput(run);
        Assert.Contains("broken.yaml", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("document 2", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: many
          template:
            spec:
              containers:
                - name: web
                  image: nginx
        """, "replicas")]
    [InlineData("""
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: general
        spec:
          template:
            spec:
              requirements:
                - key: karpenter.sh/capacity-type
                  operator: Among
                  values: ["spot"]
        """, "operator")]
    [InlineData("""
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: general
        spec:
          weight: 500
          template:
            spec:
              requirements: []
        """, "weight")]
    public void InvalidFieldExitsOneNamingFileDocumentAndField(string yaml, string field)
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("invalid.yaml", yaml);

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests);

        AssertBadInput(run);
        Assert.Contains("invalid.yaml", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("document 1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(field, run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cpu: \"99999999999999999999999\"", "spec.template.spec.containers[0].resources.requests.cpu", "is more than the solver can hold")]
    [InlineData("cpu: 1e30", "spec.template.spec.containers[0].resources.requests.cpu", "is more than the solver can hold")]
    [InlineData("cpu: \"-6\"", "spec.template.spec.containers[0].resources.requests.cpu", "\"-6\" is negative")]
    [InlineData("memory: -4Gi", "spec.template.spec.containers[0].resources.requests.memory", "\"-4Gi\" is negative")]
    public void QuantityOutsideTheSolversRangeExitsOneNamingFileDocumentAndField(string request, string field, string problem)
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("huge.yaml", CliFixtures.OnePod + $"""

            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: nginx
                      resources:
                        requests:
                          {request}
            """);

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests);

        AssertBadInput(run);
        Assert.Contains("huge.yaml: document 2 (Deployment web): " + field + ": line 27: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(problem, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedCatalogExitsOneNamingTheFile()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", """{ "zones": ["zone-a"], "instanceTypes": [ { "name": 5 """);
        var manifests = dir.Write("m.yaml", CliFixtures.OnePod);

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests);

        AssertBadInput(run);
        Assert.Contains("catalog.json", run.Stderr, StringComparison.Ordinal);
    }

    private static void AssertBadInput(CliRun run)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }
}

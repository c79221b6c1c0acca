using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Karpenter.Orleans.Cli.Commands;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>
/// What a user pipes in first: <c>kubectl get pods,nodes,nodepools -A -o yaml | karpo simulate -f -</c>, and the same
/// dump as <c>-o json</c>. The fixtures are in kubectl's shape (a v1 List, status, managedFields, ownerReferences);
/// one m5.large node runs two web pods and the aws-node DaemonSet pod, and a finished Job pod that holds no room.
/// </summary>
public sealed partial class KubectlDumpTests
{
    private const string NodeName = "ip-10-0-1-23.ec2.internal";

    private static readonly string YamlDump = File.ReadAllText(Fixture("kubectl-get-pods-nodes-nodepools.yaml"));

    [Fact]
    public void DumpOnStandardInputKeepsBoundPodsOnTheirNodeAndPlansThePendingOnes()
    {
        var run = Karpo.RunWithInput(YamlDump, "simulate", "-f", "-", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var root = doc.RootElement;

        // 1930m allocatable - 25m aws-node - 2 x 500m web = 905m free (the Succeeded report pod's 1500m is not held):
        // the 800m api pod fits there; cache (1200m) and worker (2 CPU) need new nodes.
        var existing = Assert.Single(root.GetProperty("existingNodes").EnumerateArray());
        Assert.Equal(NodeName, existing.GetProperty("name").GetString());
        Assert.Equal(["shop/api-7c9d8b6f5-2xk4p"], Strings(existing.GetProperty("pods")));
        var planned = root.GetProperty("nodeClaims").EnumerateArray().SelectMany(c => Strings(c.GetProperty("pods"))).Order(StringComparer.Ordinal);
        Assert.Equal(["shop/cache-0", "shop/worker-6f7a8b9c0-m3n4b"], planned);
        Assert.All(root.GetProperty("nodeClaims").EnumerateArray(), c => Assert.Equal("general", c.GetProperty("nodePool").GetString()));
        Assert.Empty(root.GetProperty("unschedulable").EnumerateArray());
        Assert.Equal(3, root.GetProperty("summary").GetProperty("pods").GetInt32());

        // The shipped catalog is said to be used; the DaemonSet pod waiting for a node is left to its DaemonSet.
        Assert.Contains(run.StderrLines, l => l.StartsWith("using the shipped instance-type catalog", StringComparison.Ordinal) && l.Contains("region us-east-1", StringComparison.Ordinal));
        Assert.Contains(run.StderrLines, l => l.Contains("1 unbound DaemonSet pod", StringComparison.Ordinal));
    }

    [Fact]
    public void JsonDumpAndMinifiedJsonGiveTheSamePlanAsTheYamlDump()
    {
        using var dir = new ScratchFolder();
        var json = File.ReadAllText(Fixture("kubectl-get-pods-nodes-nodepools.json"));
        var minified = dir.Write("dump.min.json", JsonNode.Parse(json)!.ToJsonString());

        var fromYaml = Karpo.RunWithInput(YamlDump, "simulate", "-f", "-", "-o", "json");
        var fromJson = Karpo.Run("simulate", "-f", Fixture("kubectl-get-pods-nodes-nodepools.json"), "-o", "json");
        var fromMinified = Karpo.Run("simulate", "-f", minified, "-o", "json");

        Assert.Equal(0, fromJson.ExitCode);
        Assert.Equal(0, fromMinified.ExitCode);
        Assert.Equal(WithoutSolveSeconds(fromYaml.Stdout), WithoutSolveSeconds(fromJson.Stdout));
        Assert.Equal(WithoutSolveSeconds(fromYaml.Stdout), WithoutSolveSeconds(fromMinified.Stdout));
    }

    [Fact]
    public void StandardInputMixesWithFilesAndASingleJsonObjectIsRead()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var pod = dir.Write("pod.json", """
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": { "name": "solo", "namespace": "batch", "resourceVersion": "7", "uid": "1f2e3d4c-0000-4000-8000-000000000001" },
                "spec": { "containers": [ { "name": "c", "image": "busybox", "resources": { "requests": { "cpu": "1" } } } ] },
                "status": { "phase": "Pending", "qosClass": "Burstable" }
            }
            """);

        var run = Karpo.RunWithInput(CliFixtures.Manifests, "simulate", "--instance-types", catalog, "-f", pod, "-f", "-", "-o", "json");

        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var planned = doc.RootElement.GetProperty("nodeClaims").EnumerateArray().Concat(doc.RootElement.GetProperty("existingNodes").EnumerateArray())
            .SelectMany(c => Strings(c.GetProperty("pods"))).ToList();
        Assert.Contains("batch/solo", planned);
        Assert.Contains("default/web-0", planned);
        Assert.DoesNotContain(run.StderrLines, l => l.StartsWith("using the shipped", StringComparison.Ordinal));
    }

    [Fact]
    public void StandardInputGivenTwiceIsABadInputError()
    {
        var run = Karpo.RunWithInput(CliFixtures.OnePod, "simulate", "-f", "-", "-f", "-");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(run.StderrLines, l => l.StartsWith("error: <stdin>: standard input can be read once", StringComparison.Ordinal));
    }

    [Fact]
    public void AMalformedItemOfADumpIsNamedByDocumentItemAndField()
    {
        var broken = YamlDump.Replace("          cpu: 800m", "          cpu: lots", StringComparison.Ordinal);
        var line = YamlDump[..YamlDump.IndexOf("          cpu: 800m", StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        var run = Karpo.RunWithInput(broken, "simulate", "-f", "-");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            $"error: <stdin>: document 1, items[5] (Pod api-7c9d8b6f5-2xk4p): spec.containers[0].resources.requests.cpu: line {line}: \"lots\" is not a Kubernetes quantity (like 500m, 2 or 4Gi)",
            Assert.Single(run.StderrLines, l => l.StartsWith("error:", StringComparison.Ordinal)));
    }

    [Fact]
    public void AMalformedItemOfAJsonDumpIsNamedByDocumentItemAndField()
    {
        using var dir = new ScratchFolder();
        var json = File.ReadAllText(Fixture("kubectl-get-pods-nodes-nodepools.json"));
        var file = dir.Write("dump.json", json.Replace("\"cpu\": \"800m\"", "\"cpu\": [\"800m\"]", StringComparison.Ordinal));

        var run = Karpo.Run("simulate", "-f", file);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(run.StderrLines, l => l.StartsWith($"error: {file}: document 1, items[5] (Pod api-7c9d8b6f5-2xk4p): spec.containers[0].resources.requests.cpu: ", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutTheShippedCatalogTheErrorSaysWhereItLookedAndWhatToPass()
    {
        using var dir = new ScratchFolder();

        var error = Assert.Throws<FileNotFoundException>(() => ShippedCatalog.Find([dir.Path]));

        Assert.Contains(dir.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("pass --instance-types", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheShippedCatalogIsFoundInADataFolderAboveTheStart()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write(Path.Combine("data", "aws-us-east-1-instance-types.json"), CliFixtures.Catalog);
        Directory.CreateDirectory(Path.Combine(dir.Path, "bin", "Release"));

        Assert.Equal(catalog, ShippedCatalog.Find([Path.Combine(dir.Path, "bin", "Release")]));
    }

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Cli", "Fixtures", name);

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    private static string WithoutSolveSeconds(string json) => SolveSeconds().Replace(json, "\"solveSeconds\": 0");

    [GeneratedRegex("\"solveSeconds\": [-+0-9.eE]+")]
    private static partial Regex SolveSeconds();
}

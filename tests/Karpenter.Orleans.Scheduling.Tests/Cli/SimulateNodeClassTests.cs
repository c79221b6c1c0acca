using System.Text.Json;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>
/// EC2NodeClasses in simulate's input: checked as the AWS provider checks them, NodePools must find theirs, and
/// <c>spec.kubelet.maxPods</c> sets how many pods a node of the NodePools using it holds.
/// </summary>
public sealed class SimulateNodeClassTests
{
    [Fact]
    public void KubeletMaxPodsCapsThePodsOnEachNodeOfTheNodePoolsUsingIt()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var without = dir.Write("without.yaml", NodePool("default") + Pods(7));
        var with = dir.Write("with.yaml", NodePool("default") + Pods(7) + NodeClass("default", "kubelet:\n    maxPods: 3"));

        var free = PodsPerClaim(Karpo.Run("simulate", "--instance-types", catalog, "-f", without, "-o", "json"));
        var capped = PodsPerClaim(Karpo.Run("simulate", "--instance-types", catalog, "-f", with, "-o", "json"));

        // 7 x 100m fit one small.2x (29 pods); with maxPods 3 they need three nodes.
        Assert.Equal([7], free);
        Assert.Equal(7, capped.Sum());
        Assert.All(capped, n => Assert.InRange(n, 1, 3));
        Assert.Equal(3, capped.Count);
    }

    [Fact]
    public void ANodePoolNamingAnEC2NodeClassNotInTheInputIsALocatedError()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("m.yaml", NodePool("gpu") + Pods(1) + NodeClass("default", "tags:\n    team: a"));

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            $"error: {manifests}: document 1 (NodePool general): spec.template.spec.nodeClassRef.name: EC2NodeClass \"gpu\" is not in the input (EC2NodeClasses given: default)",
            Assert.Single(run.StderrLines));
    }

    [Fact]
    public void WithoutAnyEC2NodeClassTheNodeClassRefIsNotChecked()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("m.yaml", NodePool("anything") + Pods(1));

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests, "-o", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([1], PodsPerClaim(run));
    }

    [Fact]
    public void AnInvalidEC2NodeClassInAListIsNamedByItemAndField()
    {
        var dump = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: karpenter.k8s.aws/v1
              kind: EC2NodeClass
              metadata:
                name: default
                resourceVersion: "9"
              spec:
                amiSelectorTerms:
                - alias: al2023@latest
                role: KarpenterNodeRole-demo
                securityGroupSelectorTerms:
                - tags:
                    karpenter.sh/discovery: demo
                subnetSelectorTerms:
                - tags:
                    karpenter.sh/discovery: demo
                kubelet:
                  maxPods: many
              status:
                conditions:
                - status: "True"
                  type: Ready
            """;

        var run = Karpo.RunWithInput(dump, "simulate", "-f", "-");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(run.StderrLines, l => l.StartsWith("error: <stdin>: document 1, items[0] (EC2NodeClass default): spec.kubelet.maxPods: ", StringComparison.Ordinal));
    }

    private static List<int> PodsPerClaim(CliRun run)
    {
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        return [.. doc.RootElement.GetProperty("nodeClaims").EnumerateArray().Select(c => c.GetProperty("pods").GetArrayLength()).Order()];
    }

    private static string NodePool(string nodeClass) => $"""
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: general
        spec:
          template:
            spec:
              nodeClassRef:
                group: karpenter.k8s.aws
                kind: EC2NodeClass
                name: {nodeClass}
              requirements:
                - key: node.kubernetes.io/instance-type
                  operator: In
                  values: ["small.2x"]

        """;

    private static string Pods(int count) => string.Concat(Enumerable.Range(0, count).Select(i => $"""
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: p-{i}
        spec:
          containers:
            - name: c
              image: busybox
              resources:
                requests:
                  cpu: 100m
                  memory: 128Mi

        """));

    private static string NodeClass(string name, string extraSpec) => $"""
        ---
        apiVersion: karpenter.k8s.aws/v1
        kind: EC2NodeClass
        metadata:
          name: {name}
        spec:
          role: KarpenterNodeRole-demo
          amiSelectorTerms:
            - alias: al2023@latest
          subnetSelectorTerms:
            - tags:
                karpenter.sh/discovery: demo
          securityGroupSelectorTerms:
            - tags:
                karpenter.sh/discovery: demo
          {extraSpec}

        """;
}

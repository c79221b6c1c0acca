using System.Text.Json;
using Karpenter.Orleans.Cli.Commands;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>
/// karpo simulate sizes nodes by an EC2NodeClass's kubelet podsPerCore, kubeReserved and systemReserved, as the
/// service's AWS provider does (ApplyNodeClass), not only by maxPods.
/// </summary>
public sealed class SimulateNodeClassKubeletTests
{
    // m5.large and m5.xlarge as the shipped catalog states them (labels, published allocatable, price).
    private const string Catalog = """
        {
          "zones": ["zone-a"],
          "instanceTypes": [
            {
              "name": "m5.large",
              "labels": { "kubernetes.io/arch": "amd64", "karpenter.k8s.aws/instance-cpu": "2", "karpenter.k8s.aws/instance-memory": "8192" },
              "allocatable": { "cpu": "1930m", "ephemeral-storage": "17Gi", "memory": "6903Mi", "pods": "29" },
              "offerings": [ { "zone": "zone-a", "capacityType": "on-demand", "price": 0.096, "available": true } ],
              "onDemandPricePerHour": 0.096
            },
            {
              "name": "m5.xlarge",
              "labels": { "kubernetes.io/arch": "amd64", "karpenter.k8s.aws/instance-cpu": "4", "karpenter.k8s.aws/instance-memory": "16384" },
              "allocatable": { "cpu": "3920m", "ephemeral-storage": "17Gi", "memory": "14162Mi", "pods": "58" },
              "offerings": [ { "zone": "zone-a", "capacityType": "on-demand", "price": 0.192, "available": true } ],
              "onDemandPricePerHour": 0.192
            }
          ]
        }
        """;

    [Fact]
    public void KubeReservedCpuLargeEnoughForcesTheNextTypeUp()
    {
        var (without, with) = Plans(Pods(1, "350m", "128Mi"), "kubelet:\n    kubeReserved:\n      cpu: 1900m");

        // m5.large keeps 100m for pods once 1900m is reserved for the kubelet.
        Assert.Equal(["m5.large"], Types(without));
        Assert.Equal(["m5.xlarge"], Types(with));
    }

    [Fact]
    public void SystemReservedMemoryForcesTheNextTypeUp()
    {
        var (without, with) = Plans(Pods(1, "100m", "1Gi"), "kubelet:\n    systemReserved:\n      memory: 6Gi");

        // 6903Mi - 6144Mi leaves 759Mi on m5.large.
        Assert.Equal(["m5.large"], Types(without));
        Assert.Equal(["m5.xlarge"], Types(with));
    }

    [Fact]
    public void PodsPerCoreLowersThePodsOnEachNode()
    {
        var (without, with) = Plans(Pods(7, "100m", "128Mi"), "kubelet:\n    podsPerCore: 2", "m5.large");

        Assert.Equal([7], PodsPerClaim(without));
        // 2 per core on 2 vCPUs: 4 pods a node.
        Assert.Equal([3, 4], PodsPerClaim(with));
    }

    [Fact]
    public void TheAllocatableIsWhatTheAwsProviderComputesFromEc2sFacts()
    {
        const string kubelet = "kubelet:\n    podsPerCore: 10\n    kubeReserved:\n      cpu: 300m\n      memory: 1Gi\n    systemReserved:\n      memory: 500Mi\n      ephemeral-storage: 2Gi";
        using var dir = new ScratchFolder();
        var catalog = CatalogLoader.Load(dir.Write("catalog.json", Catalog));
        var manifests = ManifestLoader.Load([dir.Write("m.yaml", NodePool(null) + Pods(1, "100m", "128Mi") + NodeClass(kubelet))]);

        var pool = Assert.Single(NodeClassInputs.Apply(manifests, catalog, TextWriter.Null).NodePools);

        // What AwsCloudProvider.ApplyNodeClass gives: EC2's facts of the type (m5: 3 ENIs of 10 IPv4 addresses)
        // and the node class's kubelet settings as the provider parses them.
        var settings = Ec2KubeletSettings.From(EC2NodeClassParser.Parse(manifests.NodeClasses[0].Location, manifests.NodeClasses[0].Object).Kubelet);
        var byType = pool.AllocatableByType!;
        Assert.Equal(Ec2Allocatable.Allocatable(new Ec2CapacityFacts("m5.large", 2, 8192, "amd64", 3, 10), settings), byType["m5.large"]);
        Assert.Equal(Ec2Allocatable.Allocatable(new Ec2CapacityFacts("m5.xlarge", 4, 16384, "amd64", 4, 15), settings), byType["m5.xlarge"]);
        Assert.Equal(20, byType["m5.large"].Pods);
        Assert.Equal(1700, byType["m5.large"].MilliCpu);
    }

    [Fact]
    public void AKubeletFieldTheCatalogCannotHonourIsAWarningNamingTheFileAndField()
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", CliFixtures.Catalog);
        var manifests = dir.Write("m.yaml", NodePool(null) + Pods(1, "100m", "128Mi") + NodeClass("kubelet:\n    podsPerCore: 2"));

        var run = Karpo.Run("simulate", "--instance-types", catalog, "-f", manifests, "-o", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.StderrLines, l => l.StartsWith($"warning: {manifests}: document 3 (EC2NodeClass default): spec.kubelet.podsPerCore: not applied to 2 instance types (", StringComparison.Ordinal)
            && l.Contains("small.2x", StringComparison.Ordinal) && l.Contains("large.8x", StringComparison.Ordinal));
    }

    private static (CliRun Without, CliRun With) Plans(string pods, string kubelet, string? type = null)
    {
        using var dir = new ScratchFolder();
        var catalog = dir.Write("catalog.json", Catalog);
        var without = dir.Write("without.yaml", NodePool(type) + pods);
        var with = dir.Write("with.yaml", NodePool(type) + pods + NodeClass(kubelet));
        return (Karpo.Run("simulate", "--instance-types", catalog, "-f", without, "-o", "json"),
            Karpo.Run("simulate", "--instance-types", catalog, "-f", with, "-o", "json"));
    }

    private static List<string> Types(CliRun run) => [.. Claims(run).Select(c => c.GetProperty("instanceType").GetString()!).Order(StringComparer.Ordinal)];

    private static List<int> PodsPerClaim(CliRun run) => [.. Claims(run).Select(c => c.GetProperty("pods").GetArrayLength()).Order()];

    private static List<JsonElement> Claims(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        return [.. doc.RootElement.GetProperty("nodeClaims").EnumerateArray().Select(c => c.Clone())];
    }

    private static string NodePool(string? type) => $"""
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
                name: default
              requirements:
                - key: {(type is null ? "kubernetes.io/arch" : "node.kubernetes.io/instance-type")}
                  operator: In
                  values: ["{type ?? "amd64"}"]

        """;

    private static string Pods(int count, string cpu, string memory) => string.Concat(Enumerable.Range(0, count).Select(i => $"""
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
                  cpu: {cpu}
                  memory: {memory}

        """));

    private static string NodeClass(string kubelet) => $"""
        ---
        apiVersion: karpenter.k8s.aws/v1
        kind: EC2NodeClass
        metadata:
          name: default
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
          {kubelet}

        """;
}

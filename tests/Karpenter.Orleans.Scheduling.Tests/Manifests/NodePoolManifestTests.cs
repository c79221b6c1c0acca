using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

public sealed class NodePoolManifestTests
{
    private const string Full = """
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: gpu
        spec:
          weight: 50
          limits:
            cpu: "1000"
            memory: 1000Gi
            nvidia.com/gpu: 8
            nodes: 20
          template:
            metadata:
              labels:
                team: ml
              annotations:
                example.com/owner: ml-platform
            spec:
              nodeClassRef:
                group: karpenter.k8s.aws
                kind: EC2NodeClass
                name: default
              expireAfter: 168h
              terminationGracePeriod: 1h30m
              taints:
                - key: nvidia.com/gpu
                  value: "true"
                  effect: NoSchedule
              startupTaints:
                - key: example.com/agent-not-ready
                  effect: NoExecute
              requirements:
                - key: karpenter.k8s.aws/instance-family
                  operator: In
                  values: [p4d, p5, g5]
                  minValues: 2
                - key: karpenter.k8s.aws/instance-cpu
                  operator: Gt
                  values: ["7"]
                - key: karpenter.k8s.aws/instance-memory
                  operator: Lte
                  values: ["524288"]
                - key: karpenter.sh/capacity-type
                  operator: NotIn
                  values: [spot]
                - key: failure-domain.beta.kubernetes.io/zone
                  operator: Exists
          disruption:
            consolidationPolicy: WhenEmpty
            consolidateAfter: 10m
            budgets:
              - nodes: "20%"
                reasons: [Empty, Drifted]
              - nodes: "0"
                schedule: "0 9 * * mon-fri"
                duration: 8h
        """;

    [Fact]
    public void EveryFieldIsRead()
    {
        var pool = LoadOne(Full);

        Assert.Equal("gpu", pool.Name);
        Assert.Equal(50, pool.Weight);
        Assert.Equal("ml", pool.Labels["team"]);
        Assert.Equal("ml-platform", pool.Annotations["example.com/owner"]);
        Assert.Equal(new NodeClassReference("karpenter.k8s.aws", "EC2NodeClass", "default"), pool.NodeClassRef);
        Assert.Equal(TimeSpan.FromHours(168), pool.ExpireAfter);
        Assert.Equal(TimeSpan.FromMinutes(90), pool.TerminationGracePeriod);

        var taint = Assert.Single(pool.Taints);
        Assert.Equal(("nvidia.com/gpu", "true", "NoSchedule"), (taint.Key, taint.Value, taint.Effect));
        var startup = Assert.Single(pool.StartupTaints);
        Assert.Equal(("example.com/agent-not-ready", null, "NoExecute"), (startup.Key, startup.Value, startup.Effect));

        Assert.Equal(5, pool.Requirements.Count);
        var family = pool.Requirements[0];
        Assert.Equal((RequirementOperator.In, 2), (family.Operator, family.MinValues));
        Assert.Equal(["p4d", "p5", "g5"], family.Values);
        Assert.Equal((RequirementOperator.Gt, "7"), (pool.Requirements[1].Operator, Assert.Single(pool.Requirements[1].Values)));
        Assert.Equal(RequirementOperator.Lte, pool.Requirements[2].Operator);
        Assert.Equal((RequirementOperator.NotIn, "spot"), (pool.Requirements[3].Operator, Assert.Single(pool.Requirements[3].Values)));
        // Deprecated keys are read as their current names.
        Assert.Equal((WellKnownLabels.Zone, RequirementOperator.Exists), (pool.Requirements[4].Key, pool.Requirements[4].Operator));
        Assert.Empty(pool.Requirements[4].Values);

        Assert.Equal(20, pool.NodeLimit);
        var limits = pool.LimitVector!.Value;
        Assert.Equal((1_000_000L, 1000L << 30, 8000L), (limits.MilliCpu, limits.Memory, limits.Get("nvidia.com/gpu")));

        Assert.Equal(ConsolidationPolicy.WhenEmpty, pool.Disruption.ConsolidationPolicy);
        Assert.Equal(TimeSpan.FromMinutes(10), pool.Disruption.ConsolidateAfter);
        Assert.Equal(2, pool.Disruption.Budgets.Count);
        Assert.Equal(new DisruptionBudget("20%", null, null, ["Empty", "Drifted"]).Nodes, pool.Disruption.Budgets[0].Nodes);
        Assert.Equal(["Empty", "Drifted"], pool.Disruption.Budgets[0].Reasons!);
        Assert.Equal(("0", "0 9 * * mon-fri", TimeSpan.FromHours(8)), (pool.Disruption.Budgets[1].Nodes, pool.Disruption.Budgets[1].Schedule, pool.Disruption.Budgets[1].Duration));
    }

    [Fact]
    public void TemplateRequirementsIncludeLabelsAndTheNodePoolItself()
    {
        var requirements = LoadOne(Full).TemplateRequirements;

        Assert.True(requirements["team"]!.Has("ml"));
        Assert.True(requirements[WellKnownLabels.NodePool]!.Has("gpu"));
        Assert.True(requirements["karpenter.k8s.aws/instance-cpu"]!.Has("8"));
        Assert.False(requirements["karpenter.k8s.aws/instance-cpu"]!.Has("7"));
    }

    [Fact]
    public void MinimalNodePoolGetsKarpenterDefaults()
    {
        var pool = LoadOne("""
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata:
              name: minimal
            spec:
              template:
                spec:
                  requirements: []
            """);

        Assert.Equal(0, pool.Weight);
        Assert.Empty(pool.Requirements);
        Assert.Empty(pool.Limits);
        Assert.Null(pool.LimitVector);
        Assert.Null(pool.NodeLimit);
        Assert.Equal(TimeSpan.FromHours(720), pool.ExpireAfter);
        Assert.Null(pool.TerminationGracePeriod);
        Assert.Null(pool.NodeClassRef);
        Assert.Equal(ConsolidationPolicy.WhenEmptyOrUnderutilized, pool.Disruption.ConsolidationPolicy);
        Assert.Equal(TimeSpan.Zero, pool.Disruption.ConsolidateAfter);
        Assert.Equal("10%", Assert.Single(pool.Disruption.Budgets).Nodes);
    }

    [Fact]
    public void NeverDisablesConsolidationAndExpiry()
    {
        var pool = LoadOne("""
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata:
              name: pinned
            spec:
              template:
                spec:
                  expireAfter: Never
              disruption:
                consolidateAfter: Never
                budgets:
                  - nodes: "5"
            """);

        Assert.Null(pool.ExpireAfter);
        Assert.Null(pool.Disruption.ConsolidateAfter);
        Assert.Equal("5", Assert.Single(pool.Disruption.Budgets).Nodes);
        Assert.Null(pool.Disruption.Budgets[0].Reasons);
    }

    [Fact]
    public void UnknownNodePoolFieldIsIgnoredWithAWarning()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("np.yaml", """
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata:
              name: typo
            spec:
              template:
                spec:
                  requirement:
                    - key: kubernetes.io/arch
                      operator: In
                      values: [arm64]
            """);
        var warnings = new StringWriter();

        var pool = Assert.Single(ManifestLoader.Load([file], warnings).NodePools);

        Assert.Empty(pool.Requirements);
        Assert.Equal($"{file}: document 1 (NodePool typo): spec.template.spec.requirement: unknown field \"requirement\" ignored", warnings.ToString().Trim());
    }

    [Theory]
    // Requirements.
    [InlineData("- key: karpenter.sh/capacity-type\n  operator: Among\n  values: [spot]", "spec.template.spec.requirements[0].operator", "unknown operator \"Among\"")]
    [InlineData("- key: a.example.com/x\n  operator: In\n  values: [a]\n- key: kubernetes.io/arch\n  operator: in\n  values: [amd64]", "spec.template.spec.requirements[1].operator", "unknown operator \"in\"")]
    [InlineData("- key: kubernetes.io/arch\n  values: [amd64]", "spec.template.spec.requirements[0].operator", "required")]
    [InlineData("- operator: Exists", "spec.template.spec.requirements[0].key", "required")]
    [InlineData("- key: kubernetes.io/arch\n  operator: In\n  values: []", "spec.template.spec.requirements[0].values", "at least one value")]
    [InlineData("- key: example.com/size\n  operator: Gt\n  values: [\"large\"]", "spec.template.spec.requirements[0].values[0]", "non-negative integer")]
    [InlineData("- key: example.com/size\n  operator: Lt\n  values: [\"-1\"]", "spec.template.spec.requirements[0].values[0]", "non-negative integer")]
    [InlineData("- key: example.com/size\n  operator: Gte\n  values: [\"1\", \"2\"]", "spec.template.spec.requirements[0].values", "exactly one value")]
    [InlineData("- key: example.com/size\n  operator: Lte", "spec.template.spec.requirements[0].values", "exactly one value")]
    [InlineData("- key: example.com/size\n  operator: Exists\n  values: [a]", "spec.template.spec.requirements[0].values", "takes no values")]
    [InlineData("- key: example.com/size\n  operator: DoesNotExist\n  values: [a]", "spec.template.spec.requirements[0].values", "takes no values")]
    [InlineData("- key: example.com/size\n  operator: In\n  values: [a]\n  minValues: 0", "spec.template.spec.requirements[0].minValues", "between 1 and 50")]
    [InlineData("- key: example.com/size\n  operator: Exists\n  minValues: 51", "spec.template.spec.requirements[0].minValues", "between 1 and 50")]
    [InlineData("- key: example.com/size\n  operator: In\n  values: [a, b]\n  minValues: 3", "spec.template.spec.requirements[0].values", "at least 3 values")]
    [InlineData("- key: karpenter.sh/nodepool\n  operator: In\n  values: [other]", "spec.template.spec.requirements[0].key", "karpenter.sh/nodepool")]
    [InlineData("- key: kubernetes.io/hostname\n  operator: In\n  values: [node-1]", "spec.template.spec.requirements[0].key", "kubernetes.io/hostname")]
    [InlineData("- key: example.com/team\n  operator: In\n  values: [\"not valid!\"]", "spec.template.spec.requirements[0].values[0]", "not a valid label value")]
    [InlineData("- key: Not_A/Key\n  operator: Exists", "spec.template.spec.requirements[0].key", "not a valid label key")]
    [InlineData("  key: kubernetes.io/arch", "spec.template.spec.requirements", "expected a list")]
    public void InvalidRequirementIsRejectedNamingTheField(string requirements, string field, string problem)
    {
        var yaml = $"""
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata:
              name: bad
            spec:
              template:
                spec:
                  requirements:
            {Indent(requirements, 6)}
            """;

        ManifestAssert.Rejects(yaml, 1, field, problem);
    }

    [Theory]
    [InlineData("weight: 0", "spec.weight", "between 1 and 100")]
    [InlineData("weight: 101", "spec.weight", "between 1 and 100")]
    [InlineData("weight: high", "spec.weight", "expected an integer")]
    [InlineData("limits:\n  cpu: -4", "spec.limits.cpu", "negative")]
    [InlineData("limits:\n  cpu: 1e30", "spec.limits.cpu", "\"1e30\" is more than the solver can hold (cpu at most")]
    [InlineData("limits:\n  memory: 10Ei", "spec.limits.memory", "is more than the solver can hold (memory at most 8Pi)")]
    [InlineData("limits:\n  nodes: 1e20", "spec.limits.nodes", "is more than the solver can hold")]
    [InlineData("limits:\n  memory: lots", "spec.limits.memory", "not a Kubernetes quantity")]
    [InlineData("template:\n  spec:\n    taints:\n      - effect: NoSchedule", "spec.template.spec.taints[0].key", "required")]
    [InlineData("template:\n  spec:\n    taints:\n      - key: dedicated", "spec.template.spec.taints[0].effect", "required")]
    [InlineData("template:\n  spec:\n    startupTaints:\n      - key: dedicated\n        effect: NoWay", "spec.template.spec.startupTaints[0].effect", "unknown effect \"NoWay\"")]
    [InlineData("template:\n  spec:\n    taints:\n      - key: a\n        effect: NoSchedule\n    startupTaints:\n      - key: a\n        effect: NoSchedule", "spec.template.spec.startupTaints[0]", "duplicate taint a:NoSchedule")]
    [InlineData("template:\n  spec:\n    expireAfter: 30d", "spec.template.spec.expireAfter", "\"30d\" is not a duration")]
    [InlineData("template:\n  spec:\n    terminationGracePeriod: Never", "spec.template.spec.terminationGracePeriod", "is not a duration")]
    [InlineData("template:\n  spec:\n    nodeClassRef:\n      group: karpenter.k8s.aws\n      kind: EC2NodeClass", "spec.template.spec.nodeClassRef.name", "required")]
    [InlineData("template:\n  metadata:\n    labels:\n      karpenter.sh/nodepool: other", "spec.template.metadata.labels.karpenter.sh/nodepool", "restricted")]
    [InlineData("template:\n  metadata:\n    labels:\n      team: \"has space\"", "spec.template.metadata.labels.team", "not a valid label value")]
    [InlineData("disruption:\n  consolidationPolicy: Always", "spec.disruption.consolidationPolicy", "unknown policy \"Always\"")]
    [InlineData("disruption:\n  consolidateAfter: 5 minutes", "spec.disruption.consolidateAfter", "is not a duration")]
    [InlineData("disruption:\n  consolidateAfter: 500ms", "spec.disruption.consolidateAfter", "is not a duration")]
    [InlineData("disruption:\n  budgets:\n    - nodes: \"150%\"", "spec.disruption.budgets[0].nodes", "\"150%\"")]
    [InlineData("disruption:\n  budgets:\n    - nodes: \"ten\"", "spec.disruption.budgets[0].nodes", "\"ten\"")]
    [InlineData("disruption:\n  budgets:\n    - nodes: \"1\"\n      schedule: \"@daily\"", "spec.disruption.budgets[0].duration", "'schedule' must be set with 'duration'")]
    [InlineData("disruption:\n  budgets:\n    - nodes: \"1\"\n      duration: 1h", "spec.disruption.budgets[0].schedule", "'schedule' must be set with 'duration'")]
    [InlineData("disruption:\n  budgets:\n    - nodes: \"1\"\n      schedule: \"@daily\"\n      duration: 90s", "spec.disruption.budgets[0].duration", "hours and minutes")]
    [InlineData("disruption:\n  budgets:\n    - nodes: \"1\"\n      schedule: \"every day\"\n      duration: 1h", "spec.disruption.budgets[0].schedule", "not a cron schedule")]
    [InlineData("disruption:\n  budgets:\n    - nodes: \"1\"\n      reasons: [Empty, Expired]", "spec.disruption.budgets[0].reasons[1]", "unknown reason \"Expired\"")]
    public void InvalidSpecFieldIsRejectedNamingTheField(string spec, string field, string problem)
    {
        var yaml = $"""
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata:
              name: bad
            spec:
            {Indent(spec, 2)}
            """;

        var ex = ManifestAssert.Rejects(yaml, 1, field, problem);

        Assert.Contains("document 1 (NodePool bad)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NodePoolWithoutNameIsRejected()
    {
        ManifestAssert.Rejects("""
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata:
              labels: { a: b }
            spec: {}
            """, 1, "metadata.name", "required");
    }

    [Fact]
    public void OlderNodePoolApiIsRejected()
    {
        ManifestAssert.Rejects("""
            apiVersion: karpenter.sh/v1beta1
            kind: NodePool
            metadata:
              name: old
            spec: {}
            """, 1, "apiVersion", "use karpenter.sh/v1");
    }

    [Fact]
    public void TwoNodePoolsWithTheSameNameAreRejected()
    {
        using var dir = new ScratchFolder();
        const string pool = """
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata:
              name: general
            spec: {}
            """;
        var first = dir.Write("a.yaml", pool);
        var second = dir.Write("b.yaml", pool);

        var ex = Assert.Throws<ManifestException>(() => ManifestLoader.Load([first, second]));

        ManifestAssert.AssertLocated(ex, second, 1, "metadata.name", "NodePool \"general\" is already defined");
        Assert.Contains(first, ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void NodePoolsKeepInputOrder()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("pools.yaml", """
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata: { name: zeta }
            spec: { weight: 10 }
            ---
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata: { name: alpha }
            spec: { weight: 90 }
            """);

        var pools = ManifestLoader.Load([file]).NodePools;

        Assert.Equal([("zeta", 10), ("alpha", 90)], pools.Select(p => (p.Name, p.Weight)));
    }

    private static NodePool LoadOne(string yaml)
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("nodepool.yaml", yaml);
        var warnings = new StringWriter();
        var pool = Assert.Single(ManifestLoader.Load([file], warnings).NodePools);
        Assert.Equal("", warnings.ToString());
        return pool;
    }

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(line => new string(' ', spaces) + line));
}

using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

/// <summary>Malformed Kubernetes manifests fail with "FILE: document N (Kind name): FIELD: problem".</summary>
public sealed class ManifestErrorTests
{
    private const string GoodPod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: ok
        spec:
          containers: [{ name: c, image: busybox }]
        """;

    [Fact]
    public void BadYamlNamesTheDocumentAndLine()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("broken.yaml", GoodPod + """

            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: broken
              labels: [unclosed
            """);

        var ex = Assert.Throws<ManifestException>(() => ManifestLoader.Load([file]));

        ManifestAssert.AssertLocated(ex, file, 2, null, "invalid YAML");
        Assert.Matches(@"line (12|13), column \d+", ex.Message);
    }

    [Fact]
    public void DuplicateKeyIsBadYaml()
    {
        var ex = ManifestAssert.Rejects("""
            apiVersion: v1
            kind: Pod
            kind: Pod
            """, 1, null, "line 3");

        Assert.Contains("Duplicate key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasInsideItsOwnAnchorIsRejectedInsteadOfRecursingForever()
    {
        ManifestAssert.Rejects(GoodPod + "\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: &x { a: *x }\n", 2, null, "an alias refers to a node that contains it");
    }

    [Fact]
    public void ReplicasThatAreNotANumberNameTheFieldValueAndLine()
    {
        var ex = ManifestAssert.Rejects("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: three
              template:
                spec:
                  containers: [{ name: c, image: nginx }]
            """, 1, "spec.replicas", "\"three\"");

        Assert.Contains(": document 1 (Deployment web): spec.replicas: line 6: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CpuRequestThatIsNotAQuantityNamesTheContainerField()
    {
        ManifestAssert.Rejects(GoodPod + """

            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              template:
                spec:
                  containers:
                    - name: sidecar
                      image: envoy
                    - name: web
                      image: nginx
                      resources:
                        requests:
                          cpu: lots
            """, 2, "spec.template.spec.containers[1].resources.requests.cpu", "\"lots\" is not a Kubernetes quantity");
    }

    [Fact]
    public void NegativeRequestIsRejected()
    {
        ManifestAssert.Rejects("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
            spec:
              initContainers:
                - name: init
                  image: busybox
                  resources:
                    limits: { memory: -1Gi }
              containers: [{ name: c, image: busybox }]
            """, 1, "spec.initContainers[0].resources.limits.memory", "negative");
    }

    [Fact]
    public void WrongShapeNamesTheField()
    {
        ManifestAssert.Rejects("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
            spec:
              containers:
                name: c
            """, 1, "spec.containers", "expected a list, found a mapping");
    }

    [Theory]
    [InlineData("  labels:\n    team: [a, b]\nspec:\n  containers: [{ name: c }]", "metadata.labels.team", "expected a single value, found a list")]
    [InlineData("spec:\n  hostNetwork: [true]\n  containers: [{ name: c }]", "spec.hostNetwork", "expected true or false, found a list")]
    [InlineData("spec: 5", "spec", "expected a mapping (V1PodSpec), found the value \"5\"")]
    [InlineData("spec:\n  containers: [{ name: c }]\n  tolerations: [{ key: k, tolerationSeconds: soon }]", "spec.tolerations[0].tolerationSeconds", "invalid value \"soon\"")]
    public void PodFieldOfTheWrongTypeNamesTheField(string rest, string field, string problem)
    {
        ManifestAssert.Rejects($"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{rest}\n", 1, field, problem);
    }

    [Theory]
    [InlineData("kind: Pod\nmetadata:\n  name: p\n", "apiVersion")]
    [InlineData("apiVersion: v1\nmetadata:\n  name: p\n", "kind")]
    [InlineData("apiVersion: v1\nkind:\nmetadata:\n  name: p\n", "kind")]
    public void MissingKindOrApiVersionIsRequired(string yaml, string field)
    {
        ManifestAssert.Rejects(yaml, 1, field, "required");
    }

    [Fact]
    public void KnownKindWithAnotherApiVersionIsRejected()
    {
        ManifestAssert.Rejects("""
            apiVersion: policy/v1beta1
            kind: PodDisruptionBudget
            metadata:
              name: pdb
            spec:
              maxUnavailable: 1
            """, 1, "apiVersion", "use policy/v1");
    }

    [Fact]
    public void DocumentThatIsNotAnObjectIsRejected()
    {
        ManifestAssert.Rejects(GoodPod + "\n---\n- just\n- a list\n", 2, null, "expected a Kubernetes object");
    }

    [Theory]
    [InlineData("Pod", "v1", "spec:\n  containers: [{ name: c, image: busybox }]\n")]
    [InlineData("Node", "v1", "status:\n  allocatable: { cpu: \"2\" }\n")]
    [InlineData("Deployment", "apps/v1", "spec:\n  template:\n    spec:\n      containers: [{ name: c, image: busybox }]\n")]
    public void ObjectWithoutNameIsRejected(string kind, string apiVersion, string rest)
    {
        ManifestAssert.Rejects($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  labels: {{ a: b }}\n{rest}", 1, "metadata.name", "required");
    }

    [Fact]
    public void NodeAllocatableMustParse()
    {
        ManifestAssert.Rejects("""
            apiVersion: v1
            kind: Node
            metadata:
              name: node-1
            status:
              allocatable:
                cpu: 4
                memory: sixteen
            """, 1, "status.allocatable.memory", "\"sixteen\" is not a Kubernetes quantity");
    }

    [Fact]
    public void WorkloadWithoutContainersIsRejected()
    {
        ManifestAssert.Rejects("""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: db
            spec:
              template:
                metadata:
                  labels: { app: db }
            """, 1, "spec.template.spec", "required");
    }

    [Fact]
    public void NegativeParallelismIsRejected()
    {
        ManifestAssert.Rejects("""
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: j
            spec:
              parallelism: -2
              template:
                spec:
                  containers: [{ name: c, image: busybox }]
            """, 1, "spec.parallelism", "must be 0 or more");
    }

    [Fact]
    public void PodNameMadeTwiceIsRejectedNamingBothDocuments()
    {
        var ex = ManifestAssert.Rejects("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-1
            spec:
              containers: [{ name: c, image: busybox }]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
              template:
                spec:
                  containers: [{ name: c, image: busybox }]
            """, 2, "metadata.name", "default/web-1");

        Assert.Contains("document 1 (Pod web-1)", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void SameNameInAnotherNamespaceIsAllowed()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("ns.yaml", GoodPod + "\n---\n" + GoodPod.Replace("  name: ok", "  name: ok\n  namespace: other", StringComparison.Ordinal));

        Assert.Equal(2, ManifestLoader.Load([file]).Pods.Count);
    }

    [Fact]
    public void MissingFileIsRejectedNamingThePath()
    {
        using var dir = new ScratchFolder();
        var missing = Path.Combine(dir.Path, "missing.yaml");

        var ex = Assert.Throws<ManifestException>(() => ManifestLoader.Load([missing]));

        ManifestAssert.AssertLocated(ex, missing, null, null, "no such file or folder");
    }

    [Fact]
    public void MissingFolderIsRejectedNamingThePath()
    {
        using var dir = new ScratchFolder();
        var missing = Path.Combine(dir.Path, "no-such-folder");

        var ex = Assert.Throws<ManifestException>(() => ManifestLoader.Load([missing]));

        ManifestAssert.AssertLocated(ex, missing, null, null, "no such file or folder");
    }

    [Fact]
    public void ErrorInAFolderNamesTheFileInside()
    {
        using var dir = new ScratchFolder();
        dir.Write("a.yaml", GoodPod);
        var bad = dir.Write("b.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n");

        var ex = Assert.Throws<ManifestException>(() => ManifestLoader.Load([dir.Path]));

        Assert.Equal(bad, ex.File);
        Assert.Equal(1, ex.Document);
    }
}

using Karpenter.Orleans.Scheduling.Tests.TestSupport;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

public sealed class ManifestLoaderTests
{
    private const string EveryKind = """
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: general
        spec:
          template:
            spec:
              requirements:
                - key: kubernetes.io/arch
                  operator: In
                  values: ["amd64"]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: 2
          selector:
            matchLabels: { app: web }
          template:
            metadata:
              labels: { app: web }
              annotations: { team: payments }
            spec:
              containers:
                - name: web
                  image: nginx
                  resources:
                    requests: { cpu: 500m, memory: 512Mi }
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: solo
        spec:
          containers:
            - name: solo
              image: busybox
              resources:
                requests: { cpu: 1, memory: 1Gi }
        ---
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: batch
        spec:
          parallelism: 3
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: work
                  image: busybox
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        spec:
          serviceName: db
          selector:
            matchLabels: { app: db }
          template:
            metadata:
              labels: { app: db }
            spec:
              containers:
                - name: db
                  image: postgres
        ---
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: rs
        spec:
          replicas: 1
          selector:
            matchLabels: { app: rs }
          template:
            metadata:
              labels: { app: rs }
            spec:
              containers:
                - name: rs
                  image: nginx
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: logs
          namespace: kube-system
        spec:
          selector:
            matchLabels: { app: logs }
          template:
            metadata:
              labels: { app: logs }
            spec:
              containers:
                - name: logs
                  image: fluent-bit
                  resources:
                    requests: { cpu: 100m, memory: 128Mi }
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: node-1
          labels:
            karpenter.sh/nodepool: general
            node.kubernetes.io/instance-type: m5.large
        spec:
          taints:
            - key: dedicated
              value: db
              effect: NoSchedule
        status:
          allocatable: { cpu: 1930m, memory: 6903Mi, pods: "29" }
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
          namespace: shop
        spec:
          minAvailable: 50%
          selector:
            matchLabels: { app: web }
        """;

    [Fact]
    public void MultiDocumentFileReadsEveryKindInInputOrder()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("all.yaml", EveryKind);
        var warnings = new StringWriter();

        var loaded = ManifestLoader.Load([file], warnings);

        Assert.Equal("", warnings.ToString());
        Assert.Equal("general", Assert.Single(loaded.NodePools).Name);
        Assert.Equal(
            ["shop/web-0", "shop/web-1", "default/solo", "default/batch-0", "default/batch-1", "default/batch-2", "default/db-0", "default/rs-0"],
            loaded.Pods.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}"));
        var daemonSet = Assert.Single(loaded.DaemonSets);
        Assert.Equal(("logs", "kube-system"), (daemonSet.Metadata.Name, daemonSet.Metadata.NamespaceProperty));
        var node = Assert.Single(loaded.Nodes);
        Assert.Equal("node-1", node.Metadata.Name);
        Assert.Equal("db", Assert.Single(node.Spec.Taints).Value);
        var pdb = Assert.Single(loaded.PodDisruptionBudgets);
        Assert.Equal(("web", "shop", "50%"), (pdb.Metadata.Name, pdb.Metadata.NamespaceProperty, pdb.Spec.MinAvailable.Value));
    }

    [Fact]
    public void DeploymentPodsCarryTemplateOwnerAndDeterministicIdentity()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("all.yaml", EveryKind);

        var web = ManifestLoader.Load([file]).Pods.Take(2).ToList();

        for (var i = 0; i < web.Count; i++)
        {
            var pod = web[i];
            Assert.Equal($"web-{i}", pod.Metadata.Name);
            Assert.Equal("shop", pod.Metadata.NamespaceProperty);
            Assert.Equal($"shop/web-{i}", pod.Metadata.Uid);
            Assert.Equal("web", pod.Metadata.Labels["app"]);
            Assert.Equal("payments", pod.Metadata.Annotations["team"]);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("Deployment", "web", true), (owner.Kind, owner.Name, owner.Controller == true));
            Assert.Null(pod.Spec.NodeName);
            var requests = pod.Spec.Containers[0].Resources.Requests;
            Assert.Equal(500, ResourceVector.FromQuantities(requests).MilliCpu);
        }

        Assert.NotEqual(web[0].Metadata.Uid, web[1].Metadata.Uid);
    }

    [Fact]
    public void JobParallelismAndStatefulSetDefaultSetPodCounts()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("all.yaml", EveryKind);

        var pods = ManifestLoader.Load([file]).Pods;

        Assert.Equal(3, pods.Count(p => p.Metadata.OwnerReferences?.SingleOrDefault()?.Kind == "Job"));
        var db = Assert.Single(pods, p => p.Metadata.OwnerReferences?.SingleOrDefault()?.Kind == "StatefulSet");
        Assert.Equal("db-0", db.Metadata.Name);
    }

    [Theory]
    [InlineData("Deployment", "apps/v1", "replicas: 0", 0)]
    [InlineData("Deployment", "apps/v1", "paused: false", 1)]
    [InlineData("ReplicaSet", "apps/v1", "replicas: 4", 4)]
    [InlineData("StatefulSet", "apps/v1", "replicas: 2", 2)]
    [InlineData("Job", "batch/v1", "completions: 5", 1)]
    [InlineData("Job", "batch/v1", "parallelism: 0", 0)]
    public void ReplicaCountDefaultsToOne(string kind, string apiVersion, string countLine, int expected)
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("w.yaml", $$"""
            apiVersion: {{apiVersion}}
            kind: {{kind}}
            metadata:
              name: w
            spec:
              {{countLine}}
              template:
                spec:
                  containers:
                    - name: c
                      image: busybox
            """);

        var pods = ManifestLoader.Load([file]).Pods;

        Assert.Equal(Enumerable.Range(0, expected).Select(i => $"w-{i}"), pods.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void BarePodKeepsItsNameAndNamespaceDefaultsToDefault()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("pods.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: plain
            spec:
              containers: [{ name: c, image: busybox }]
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: placed
              namespace: team-a
              uid: fixed-uid
            spec:
              containers: [{ name: c, image: busybox }]
            """);

        var pods = ManifestLoader.Load([file]).Pods;

        Assert.Equal(("plain", "default", "default/plain"), (pods[0].Metadata.Name, pods[0].Metadata.NamespaceProperty, pods[0].Metadata.Uid));
        Assert.Equal(("placed", "team-a", "fixed-uid"), (pods[1].Metadata.Name, pods[1].Metadata.NamespaceProperty, pods[1].Metadata.Uid));
        Assert.All(pods, p => Assert.Null(p.Metadata.OwnerReferences));
    }

    [Fact]
    public void PodWithNodeNameStaysBoundAmongThePods()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("bound.yaml", """
            apiVersion: v1
            kind: Node
            metadata:
              name: node-1
            status:
              allocatable: { cpu: "4", memory: 16Gi, pods: "110" }
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: api-0
            spec:
              nodeName: node-1
              containers: [{ name: api, image: api }]
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: pending
            spec:
              containers: [{ name: api, image: api }]
            """);

        var loaded = ManifestLoader.Load([file]);

        Assert.Equal(["api-0", "pending"], loaded.Pods.Select(p => p.Metadata.Name));
        Assert.Equal("node-1", loaded.Pods[0].Spec.NodeName);
        Assert.Null(loaded.Pods[1].Spec.NodeName);
        Assert.Equal(new ResourceVector(4000, 16L << 30, 110), ResourceVector.FromQuantities(Assert.Single(loaded.Nodes).Status.Allocatable));
    }

    [Fact]
    public void FolderReadsYamlAndYmlFilesSortedOrdinallyByName()
    {
        using var dir = new ScratchFolder();
        dir.Write("b.yaml", PodYaml("from-b"));
        dir.Write("a.yml", PodYaml("from-a"));
        dir.Write("C.yaml", PodYaml("from-upper-c"));
        dir.Write("notes.txt", "not: yaml: at all: [");
        dir.Write("nested/z.yaml", PodYaml("from-nested"));

        var pods = ManifestLoader.Load([dir.Path]).Pods;

        // Ordinal: upper case sorts before lower case; sub-folders are not read.
        Assert.Equal(["from-upper-c", "from-a", "from-b"], pods.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void PathsAreReadInTheOrderGiven()
    {
        using var dir = new ScratchFolder();
        var second = dir.Write("a.yaml", PodYaml("second"));
        var first = dir.Write("z.yaml", PodYaml("first"));

        var pods = ManifestLoader.Load([first, second]).Pods;

        Assert.Equal(["first", "second"], pods.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void UnusedKindsAreCountedInOneNoteLine()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("mixed.yaml", """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              ports: [{ port: 80 }]
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
            spec:
              containers: [{ name: c, image: busybox }]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
            data:
              key: value
            """);
        var warnings = new StringWriter();

        var loaded = ManifestLoader.Load([file], warnings);

        Assert.Single(loaded.Pods);
        var lines = warnings.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["skipped 2 objects of kinds the simulator does not read (ConfigMap 1, Service 1)"], lines);
    }

    [Fact]
    public void EmptyDocumentsAreIgnoredButKeepDocumentNumbering()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("gaps.yaml", """
            # leading comment
            ---
            ---
            # only a comment
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: s
            spec:
              containers: []
            ---
            """);

        var ex = Assert.Throws<ManifestException>(() => ManifestLoader.Load([file]));

        Assert.StartsWith($"{file}: document 3 (Pod s): spec.containers:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoNodePoolMeansTheDefaultNodePoolWithoutRequirements()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("pod.yaml", PodYaml("p"));

        var loaded = ManifestLoader.Load([file]);
        var input = loaded.ToInput(new InstanceTypeCatalog(["zone-a"], []));

        Assert.Empty(loaded.NodePools);
        var nodePool = Assert.Single(input.NodePools);
        Assert.Equal("default", nodePool.Name);
        Assert.Empty(nodePool.Requirements);
    }

    [Fact]
    public void UnknownFieldIsIgnoredWithAWarningNamingIt()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("typo.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
            spec:
              nodeSelectr:
                disk: ssd
              containers: [{ name: c, image: busybox }]
            """);
        var warnings = new StringWriter();

        var pod = Assert.Single(ManifestLoader.Load([file], warnings).Pods);

        Assert.Null(pod.Spec.NodeSelector);
        Assert.Equal($"{file}: document 1 (Pod p): spec.nodeSelectr: unknown field \"nodeSelectr\" ignored", warnings.ToString().Trim());
    }

    [Fact]
    public void YamlAnchorsAndMergeKeysAreResolved()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("anchors.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              labels: &labels { app: web, tier: front }
            spec:
              nodeSelector: *labels
              containers:
                - name: c
                  image: busybox
                  resources:
                    requests: &req { cpu: 250m, memory: 1Gi }
                    limits:
                      <<: *req
                      cpu: "1"
            ---
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata:
              name: merged
            spec:
              limits: { cpu: "100" }
              template:
                metadata:
                  annotations: &common { app: web, tier: front }
                  labels:
                    <<: *common
                    tier: back
            """);
        var warnings = new StringWriter();

        var loaded = ManifestLoader.Load([file], warnings);

        Assert.Equal("", warnings.ToString());
        var pod = Assert.Single(loaded.Pods);
        Assert.Equal("front", pod.Spec.NodeSelector["tier"]);
        var limits = ResourceVector.FromQuantities(pod.Spec.Containers[0].Resources.Limits);
        Assert.Equal((1000L, 1L << 30), (limits.MilliCpu, limits.Memory));
        var pool = Assert.Single(loaded.NodePools);
        Assert.Equal([("app", "web"), ("tier", "back")], pool.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => (l.Key, l.Value)));
        Assert.Equal("100", pool.Limits["cpu"]);
    }

    [Fact]
    public void NumericQuantitiesAndLabelValuesAreReadAsWritten()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("numbers.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              labels: { version: "2", build: 17 }
            spec:
              containers:
                - name: c
                  image: busybox
                  resources:
                    requests: { cpu: 1.5, memory: 1e9, nvidia.com/gpu: 1 }
            """);

        var pod = Assert.Single(ManifestLoader.Load([file]).Pods);

        Assert.Equal("17", pod.Metadata.Labels["build"]);
        var requests = ResourceVector.FromQuantities(pod.Spec.Containers[0].Resources.Requests);
        Assert.Equal((1500L, 1_000_000_000L, 1000L), (requests.MilliCpu, requests.Memory, requests.Get("nvidia.com/gpu")));
    }

    private static string PodYaml(string name) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
        spec:
          containers: [{ name: c, image: busybox }]
        """;
}

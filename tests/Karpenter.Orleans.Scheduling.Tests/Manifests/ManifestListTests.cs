using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

/// <summary><c>kind: List</c> documents (kubectl get -o yaml|json), standard input and node class objects.</summary>
public sealed class ManifestListTests
{
    [Fact]
    public void ListItemsAreReadAsObjectsOfTheirOwnKinds()
    {
        var loaded = ManifestLoader.LoadText("dump.yaml", """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata:
                name: a
              spec:
                containers:
                - name: c
                  image: busybox
            - apiVersion: karpenter.sh/v1
              kind: NodePool
              metadata:
                name: general
              spec:
                template:
                  spec:
                    requirements: []
            metadata:
              resourceVersion: ""
            """);

        Assert.Equal("default/a", Assert.Single(loaded.Pods).Metadata.NamespaceProperty + "/" + loaded.Pods[0].Metadata.Name);
        Assert.Equal("general", Assert.Single(loaded.NodePools).Name);
    }

    [Fact]
    public void ATypedListFromTheApiServerIsReadToo()
    {
        var loaded = ManifestLoader.LoadText("pods.json", """
            {"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "42"}, "items": [
              {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "x"}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
              {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b", "namespace": "x"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
            ]}
            """);

        Assert.Equal(["a", "b"], loaded.Pods.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void AnEmptyListReadsAsNothing()
    {
        var warnings = new StringWriter();

        var loaded = ManifestLoader.LoadText("empty.yaml", "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n", warnings);

        Assert.Empty(loaded.Pods);
        Assert.Equal("", warnings.ToString());
    }

    [Fact]
    public void ItemsThatAreNotAListOrNotObjectsAreLocatedErrors()
    {
        var notList = Assert.Throws<ManifestException>(() => ManifestLoader.LoadText("l.yaml", "apiVersion: v1\nkind: List\nitems: {a: 1}\n"));
        var notObject = Assert.Throws<ManifestException>(() => ManifestLoader.LoadText("l.yaml", "apiVersion: v1\nkind: List\nitems:\n- just text\n"));

        Assert.Equal("l.yaml: document 1 (List): items: line 3: expected a list, found a mapping", notList.Message);
        Assert.Equal("items[0]", notObject.Field);
        Assert.StartsWith("l.yaml: document 1 (List): items[0]: line 4: expected a Kubernetes object", notObject.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnItemMissingItsKindIsNamedByItsIndex()
    {
        var ex = Assert.Throws<ManifestException>(() => ManifestLoader.LoadText("l.yaml", """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata: {name: ok}
              spec: {containers: [{name: c, image: i}]}
            - apiVersion: v1
              metadata: {name: nameless-kind}
            """));

        Assert.Equal(1, ex.Document);
        Assert.Equal(1, ex.Item);
        Assert.Equal("kind", ex.Field);
        Assert.StartsWith("l.yaml: document 1, items[1]: kind: required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownFieldInAMinifiedJsonItemIsWarnedAtItsPath()
    {
        var warnings = new StringWriter();
        var pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","bogus":1}]}}""";

        var loaded = ManifestLoader.LoadText("min.json", $$"""{"apiVersion":"v1","kind":"List","items":[{{pod}},{{pod.Replace("\"p\"", "\"q\"", StringComparison.Ordinal)}}]}""", warnings);

        Assert.Equal(2, loaded.Pods.Count);
        Assert.Contains("min.json: document 1, items[0] (Pod p): spec.containers[0].bogus: unknown field \"bogus\" ignored", warnings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StandardInputIsReadForADashAmongFiles()
    {
        using var dir = new ScratchFolder();
        var file = dir.Write("a.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: from-file}\nspec: {containers: [{name: c, image: i}]}\n");
        using var stdin = new StringReader("apiVersion: v1\nkind: Pod\nmetadata: {name: from-stdin}\nspec: {containers: []}\n");

        var ex = Assert.Throws<ManifestException>(() => ManifestLoader.Load([file, ManifestLoader.StandardInputPath], null, stdin));

        Assert.Equal("<stdin>: document 1 (Pod from-stdin): spec.containers: at least one container is required", ex.Message);
    }

    [Fact]
    public void NodeClassesAreKeptWithWhereTheyWereRead()
    {
        var loaded = ManifestLoader.LoadText("dump.yaml", """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: karpenter.k8s.aws/v1
              kind: EC2NodeClass
              metadata:
                name: default
              spec:
                kubelet:
                  maxPods: 110
            """);

        var nodeClass = Assert.Single(loaded.NodeClasses);
        Assert.Equal(new ManifestLocation("dump.yaml", 1, 0), nodeClass.Location);
        Assert.Equal(("EC2NodeClass", "default"), (nodeClass.Kind, nodeClass.Name));
        Assert.Equal("110", nodeClass.Object["spec"]!["kubelet"]!["maxPods"]!.GetValue<string>());
    }

    [Fact]
    public void AnUnboundDaemonSetPodIsLeftToItsDaemonSet()
    {
        var warnings = new StringWriter();

        var loaded = ManifestLoader.LoadText("pods.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: agent-x1
              ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u1, controller: true}]
            spec: {containers: [{name: c, image: i}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: agent-x2
              ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u1, controller: true}]
            spec: {nodeName: node-1, containers: [{name: c, image: i}]}
            """, warnings);

        Assert.Equal("agent-x2", Assert.Single(loaded.Pods).Metadata.Name);
        Assert.Equal("skipped 1 unbound DaemonSet pod (their DaemonSet places them)", warnings.ToString().Trim());
    }

    [Fact]
    public void AWorkloadWhosePodsAreInTheDumpMakesOnlyTheReplicasItIsMissing()
    {
        var warnings = new StringWriter();

        // kubectl get all: a Deployment, its ReplicaSet and two of its three pods; a StatefulSet with one of two.
        var loaded = ManifestLoader.LoadText("all.yaml", """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata:
                name: web-5d8f7c9b4-abcde
                namespace: shop
                uid: p1
                ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f7c9b4, uid: rs1, controller: true}]
              spec: {nodeName: node-1, containers: [{name: c, image: i}]}
              status: {phase: Running}
            - apiVersion: v1
              kind: Pod
              metadata:
                name: web-5d8f7c9b4-fghij
                namespace: shop
                uid: p2
                ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f7c9b4, uid: rs1, controller: true}]
              spec: {containers: [{name: c, image: i}]}
              status: {phase: Pending}
            - apiVersion: v1
              kind: Pod
              metadata:
                name: cache-0
                namespace: shop
                uid: p3
                ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: cache, uid: sts1, controller: true}]
              spec: {nodeName: node-1, containers: [{name: c, image: i}]}
              status: {phase: Running}
            - apiVersion: apps/v1
              kind: Deployment
              metadata: {name: web, namespace: shop, uid: dep1}
              spec:
                replicas: 3
                selector: {matchLabels: {app: web}}
                template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: i}]}}
            - apiVersion: apps/v1
              kind: ReplicaSet
              metadata:
                name: web-5d8f7c9b4
                namespace: shop
                uid: rs1
                ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: dep1, controller: true}]
              spec:
                replicas: 3
                selector: {matchLabels: {app: web}}
                template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: i}]}}
            - apiVersion: apps/v1
              kind: StatefulSet
              metadata: {name: cache, namespace: shop, uid: sts1}
              spec:
                replicas: 2
                serviceName: cache
                selector: {matchLabels: {app: cache}}
                template: {metadata: {labels: {app: cache}}, spec: {containers: [{name: c, image: i}]}}
            """, warnings);

        Assert.Equal(
            ["shop/web-5d8f7c9b4-abcde", "shop/web-5d8f7c9b4-fghij", "shop/cache-0", "shop/web-0", "shop/cache-1"],
            loaded.Pods.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}"));
        Assert.Equal(
            "skipped 1 ReplicaSet of Deployments in the input (read through the Deployment); 3 replicas of workloads whose pods are in the input (the pods count instead)",
            warnings.ToString().Trim());
    }

    [Fact]
    public void AnUnknownFieldRepeatedInManyObjectsIsSaidOnceAndCounted()
    {
        var warnings = new StringWriter();
        var pods = string.Concat(Enumerable.Range(0, 4).Select(i => $$"""
            - apiVersion: v1
              kind: Pod
              metadata: {name: p{{i}}}
              spec:
                containers: [{name: c, image: i, futureField: {{i}}}]

            """));

        var loaded = ManifestLoader.LoadText("dump.yaml", "apiVersion: v1\nkind: List\nitems:\n" + pods, warnings);

        Assert.Equal(4, loaded.Pods.Count);
        Assert.Equal(
            [
                "dump.yaml: document 1, items[0] (Pod p0): spec.containers[0].futureField: unknown field \"futureField\" ignored",
                "the same unknown field (Pod spec.containers[].futureField) was ignored in 3 more objects",
            ],
            warnings.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

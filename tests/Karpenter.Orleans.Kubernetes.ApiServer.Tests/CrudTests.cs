using System.Net;
using k8s;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

public sealed class CrudTests
{
    [Fact]
    public async Task ACreatedPodGetsIdentityAndIsPendingWhateverTheClientSent()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var sent = Pod("web");
        sent.Status = new V1PodStatus { Phase = "Running" };

        var created = await client.CoreV1.CreateNamespacedPodAsync(sent, "default");
        var read = await client.CoreV1.ReadNamespacedPodAsync("web", "default");

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal(server.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), created.Metadata.ResourceVersion);
        Assert.Equal("Pending", read.Status.Phase);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal("registry.example/app:1", read.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task EveryWriteGetsAHigherResourceVersionFromOneCounter()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();

        var pod = await client.CoreV1.CreateNamespacedPodAsync(Pod("a"), "default");
        var node = await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });
        var pod2 = await client.CoreV1.CreateNamespacedPodAsync(Pod("b"), "default");

        var versions = new[] { pod, (IMetadata<V1ObjectMeta>)node, pod2 }.Select(o => long.Parse(o.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(versions[0] < versions[1] && versions[1] < versions[2], string.Join(",", versions));
    }

    [Fact]
    public async Task CreatingTwiceIsAlreadyExistsAndReadingAMissingObjectIsNotFound()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default");

        var exists = await FailsWithAsync(HttpStatusCode.Conflict, () => client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default"));
        var missing = await FailsWithAsync(HttpStatusCode.NotFound, () => client.CoreV1.ReadNamespacedPodAsync("nope", "default"));
        var missingNode = await FailsWithAsync(HttpStatusCode.NotFound, () => client.CoreV1.ReadNodeAsync("n9"));

        Assert.Equal("AlreadyExists", exists.Reason);
        Assert.Equal("pods \"web\" already exists", exists.Message);
        Assert.Equal("NotFound", missing.Reason);
        Assert.Equal("pods \"nope\" not found", missing.Message);
        Assert.Equal("nodes \"n9\" not found", missingNode.Message);
    }

    [Fact]
    public async Task AnUpdateFromAStaleResourceVersionIsAConflict()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var first = await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });
        var stale = await client.CoreV1.ReadNodeAsync("n1");
        first.Metadata.Labels = new Dictionary<string, string> { ["a"] = "1" };
        await client.CoreV1.ReplaceNodeAsync(first, "n1");

        stale.Metadata.Labels = new Dictionary<string, string> { ["a"] = "2" };
        var conflict = await FailsWithAsync(HttpStatusCode.Conflict, () => client.CoreV1.ReplaceNodeAsync(stale, "n1"));

        Assert.Equal("Conflict", conflict.Reason);
        Assert.Contains("the object has been modified", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("1", (await client.CoreV1.ReadNodeAsync("n1")).Metadata.Labels["a"]);
    }

    [Fact]
    public async Task GenerationFollowsSpecChangesNotStatusOrMetadata()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });

        var status = await client.CoreV1.PatchNodeStatusAsync(new V1Patch("""{"status":{"capacity":{"cpu":"4"}}}""", V1Patch.PatchType.MergePatch), "n1");
        var labelled = await client.CoreV1.PatchNodeAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "n1");
        var tainted = await client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}""", V1Patch.PatchType.MergePatch), "n1");

        Assert.Equal(1, status.Metadata.Generation);
        Assert.Equal("4", status.Status.Capacity["cpu"].ToString());
        Assert.Equal(1, labelled.Metadata.Generation);
        Assert.Equal(2, tainted.Metadata.Generation);
    }

    [Fact]
    public async Task TheStatusSubresourceChangesOnlyStatusAndTheMainResourceKeepsStatus()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });

        await client.CoreV1.PatchNodeStatusAsync(new V1Patch("""{"metadata":{"labels":{"ignored":"x"}},"status":{"phase":"Running"}}""", V1Patch.PatchType.MergePatch), "n1");
        var main = await client.CoreV1.PatchNodeAsync(new V1Patch("""{"status":{"phase":"Terminated"}}""", V1Patch.PatchType.MergePatch), "n1");

        Assert.Equal("Running", main.Status.Phase);
        Assert.Null(main.Metadata.Labels);
    }

    [Fact]
    public async Task AnUnchangedWriteKeepsItsResourceVersion()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var created = await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1", Labels = new Dictionary<string, string> { ["a"] = "b" } } });

        var again = await client.CoreV1.PatchNodeAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "n1");

        Assert.Equal(created.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task ObjectsNeedAnExistingNamespaceAndAName()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();

        var missing = await FailsWithAsync(HttpStatusCode.NotFound, () => client.CoreV1.CreateNamespacedPodAsync(Pod("web", "team-a"), "team-a"));
        var nameless = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Spec = new V1PodSpec { Containers = [] } }, "default"));
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } });
        var generated = await client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { GenerateName = "web-" }, Spec = new V1PodSpec { Containers = [] } }, "team-a");

        Assert.Equal("namespaces \"team-a\" not found", missing.Message);
        Assert.Equal("Invalid", nameless.Reason);
        Assert.Contains("metadata.name", nameless.Message, StringComparison.Ordinal);
        Assert.StartsWith("web-", generated.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal(9, generated.Metadata.Name.Length);
    }

    [Fact]
    public async Task DeletingANamespaceDeletesWhatIsInIt()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } });
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web", "team-a"), "team-a");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web", "default"), "default");

        await client.CoreV1.DeleteNamespaceAsync("team-a");

        var pods = await client.CoreV1.ListPodForAllNamespacesAsync();
        Assert.Equal(["default/web"], pods.Items.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}"));
    }

    [Fact]
    public async Task ARequestWithoutAKnownTokenIsUnauthorized()
    {
        await using var server = await StartAsync();
        using var wrong = server.CreateClient("not-the-token");
        using var right = server.CreateClient();

        var status = await FailsWithAsync(HttpStatusCode.Unauthorized, () => wrong.CoreV1.ListNamespaceAsync());
        var namespaces = await right.CoreV1.ListNamespaceAsync();

        Assert.Equal("Unauthorized", status.Reason);
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "kube-system");
    }

    [Fact]
    public async Task AnObjectWithFinalizersIsMarkedOnDeleteAndRemovedWhenTheyAreGone()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var pod = Pod("web");
        pod.Metadata.Finalizers = ["karpo.example/keep"];
        var created = await client.CoreV1.CreateNamespacedPodAsync(pod, "default");

        var marked = await client.CoreV1.DeleteNamespacedPodAsync("web", "default");
        var stillThere = await client.CoreV1.ReadNamespacedPodAsync("web", "default");
        var cleared = await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "web", "default");

        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        Assert.Equal(created.Metadata.Uid, stillThere.Metadata.Uid);
        Assert.NotNull(stillThere.Metadata.DeletionTimestamp);
        Assert.NotNull(cleared.Metadata.DeletionTimestamp);
        await FailsWithAsync(HttpStatusCode.NotFound, () => client.CoreV1.ReadNamespacedPodAsync("web", "default"));
    }

    [Fact]
    public async Task ACompletedDeleteOfANodeAnswersAStatusNamingIt()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var node = await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });

        var status = await client.CoreV1.DeleteNodeAsync("n1");

        Assert.Equal("Success", status.Status);
        Assert.Equal("n1", status.Details.Name);
        Assert.Equal(node.Metadata.Uid, status.Details.Uid);
        await FailsWithAsync(HttpStatusCode.NotFound, () => client.CoreV1.ReadNodeAsync("n1"));
    }

    [Fact]
    public async Task DeletePreconditionsProtectAReplacedObject()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });

        var status = await FailsWithAsync(HttpStatusCode.Conflict, () => client.CoreV1.DeleteNodeAsync("n1", new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "other" } }));

        Assert.Contains("Precondition failed", status.Message, StringComparison.Ordinal);
        Assert.NotNull(await client.CoreV1.ReadNodeAsync("n1"));
    }

    [Fact]
    public async Task EventsAreServedInCoreAndEventsGroups()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var reference = new V1ObjectReference { Kind = "Pod", Name = "web", NamespaceProperty = "default" };

        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event { Metadata = new V1ObjectMeta { Name = "web.1" }, InvolvedObject = reference, Reason = "Nominated", Message = "Pod should schedule on nodeclaim/general-abcde" }, "default");
        await client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event { Metadata = new V1ObjectMeta { Name = "web.2" }, Reason = "FailedScheduling", Action = "Scheduling", ReportingController = "karpenter", ReportingInstance = "karpenter-1", EventTime = DateTime.UtcNow }, "default");

        var core = await client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web,reason=Nominated");
        var modern = await client.EventsV1.ListNamespacedEventAsync("default");
        Assert.Equal("web.1", Assert.Single(core.Items).Metadata.Name);
        Assert.Equal("FailedScheduling", Assert.Single(modern.Items).Reason);
    }

    [Fact]
    public async Task InjectedFaultsFailTheMatchingRequestsUntilCleared()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        server.InjectFaults(request => request.StartsWith("GET /api/v1/nodes", StringComparison.Ordinal) ? 503 : null);

        var failed = await FailsWithAsync(HttpStatusCode.ServiceUnavailable, () => client.CoreV1.ListNodeAsync());
        var served = await client.CoreV1.ListNamespaceAsync();
        server.InjectFaults(null);
        var recovered = await client.CoreV1.ListNodeAsync();

        Assert.Equal("ServiceUnavailable", failed.Reason);
        Assert.NotEmpty(served.Items);
        Assert.Empty(recovered.Items);
    }

    [Fact]
    public async Task DaemonSetsAreListedAcrossNamespacesWithTheirStatusApart()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var labels = new Dictionary<string, string> { ["app"] = "node-exporter" };
        var daemonSet = new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "node-exporter" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "exporter", Image = "registry.example/exporter:1" }] },
                },
            },
        };

        await client.AppsV1.CreateNamespacedDaemonSetAsync(daemonSet, "kube-system");
        await client.AppsV1.PatchNamespacedDaemonSetStatusAsync(new V1Patch("""{"status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberMisscheduled":0,"numberReady":3}}""", V1Patch.PatchType.MergePatch), "node-exporter", "kube-system");
        var all = await client.AppsV1.ListDaemonSetForAllNamespacesAsync();

        var listed = Assert.Single(all.Items);
        Assert.Equal("kube-system", listed.Metadata.NamespaceProperty);
        Assert.Equal(3, listed.Status.DesiredNumberScheduled);
        Assert.Equal(1, listed.Metadata.Generation);
        Assert.Equal("registry.example/exporter:1", listed.Spec.Template.Spec.Containers[0].Image);
    }
}

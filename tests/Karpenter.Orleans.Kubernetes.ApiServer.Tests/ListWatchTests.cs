using System.Globalization;
using System.Net;
using k8s;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

public sealed class ListWatchTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ListsFilterByLabelAndFieldSelectors()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("a", labels: new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" }, nodeName: "n1"), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("b", labels: new Dictionary<string, string> { ["app"] = "web" }, nodeName: "n2"), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("c", labels: new Dictionary<string, string> { ["app"] = "db" }), "default");
        await MakeReadyAsync(client, "b");

        static async Task<string> Names(Task<V1PodList> list) => string.Join(",", (await list).Items.Select(p => p.Metadata.Name));

        Assert.Equal("a,b", await Names(client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web")));
        Assert.Equal("a", await Names(client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app in (web,db),tier")));
        Assert.Equal("b,c", await Names(client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "!tier")));
        Assert.Equal("c", await Names(client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app notin (web)")));
        Assert.Equal("b", await Names(client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "spec.nodeName=n2")));
        Assert.Equal("c", await Names(client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "spec.nodeName=")));
        Assert.Equal("a,c", await Names(client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "status.phase!=Running")));
        Assert.Equal("a", await Names(client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "metadata.name=a,metadata.namespace=default")));
    }

    [Fact]
    public async Task AFieldTheResourceDoesNotSelectOnIsABadRequest()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();

        var status = await FailsWithAsync(HttpStatusCode.BadRequest, () => client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "spec.priority=1"));

        Assert.Equal("field label not supported: spec.priority", status.Message);
    }

    [Fact]
    public async Task PagesOfALimitedListAreOneConsistentSnapshot()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        foreach (var name in new[] { "p1", "p2", "p3", "p4", "p5" })
        {
            await client.CoreV1.CreateNamespacedPodAsync(Pod(name), "default");
        }

        var first = await client.CoreV1.ListNamespacedPodAsync("default", limit: 2);
        // Changes between pages must not show in the later pages of the same list.
        await client.CoreV1.DeleteNamespacedPodAsync("p3", "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p6"), "default");
        var second = await client.CoreV1.ListNamespacedPodAsync("default", limit: 2, continueParameter: first.Metadata.ContinueProperty);
        var third = await client.CoreV1.ListNamespacedPodAsync("default", limit: 2, continueParameter: second.Metadata.ContinueProperty);

        Assert.Equal(["p1", "p2"], first.Items.Select(p => p.Metadata.Name));
        Assert.Equal(3, first.Metadata.RemainingItemCount);
        Assert.Equal(["p3", "p4"], second.Items.Select(p => p.Metadata.Name));
        Assert.Equal(["p5"], third.Items.Select(p => p.Metadata.Name));
        Assert.Null(third.Metadata.ContinueProperty);
        Assert.Equal(first.Metadata.ResourceVersion, third.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task AContinueTokenOlderThanTheHistoryIsGone()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p2"), "default");
        var first = await client.CoreV1.ListNamespacedPodAsync("default", limit: 1);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p3"), "default");

        server.CompactHistory();

        var status = await FailsWithAsync(HttpStatusCode.Gone, () => client.CoreV1.ListNamespacedPodAsync("default", limit: 1, continueParameter: first.Metadata.ContinueProperty));
        Assert.Equal("Expired", status.Reason);
    }

    [Fact]
    public async Task AWatchFromAListsResourceVersionSeesEveryLaterChangeInOrder()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("before"), "default");
        var list = await client.CoreV1.ListNamespacedPodAsync("default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default");
        await MakeReadyAsync(client, "web");
        await client.CoreV1.DeleteNamespacedPodAsync("web", "default");

        using var cts = new CancellationTokenSource(Guard);
        var seen = new List<(WatchEventType, string, long)>();
        await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            seen.Add((type, pod.Metadata.Name, long.Parse(pod.Metadata.ResourceVersion, CultureInfo.InvariantCulture)));
            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen.Select(s => s.Item1));
        Assert.All(seen, s => Assert.Equal("web", s.Item2));
        Assert.True(seen[0].Item3 < seen[1].Item3 && seen[1].Item3 < seen[2].Item3);
        Assert.Equal(server.ResourceVersion, seen[2].Item3);
    }

    [Fact]
    public async Task AWatchWithoutAResourceVersionStartsWithTheCurrentObjects()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n2" } });

        using var cts = new CancellationTokenSource(Guard);
        var seen = new List<string>();
        await foreach (var (type, node) in client.CoreV1.WatchListNodeAsync(cancellationToken: cts.Token))
        {
            Assert.Equal(WatchEventType.Added, type);
            seen.Add(node.Metadata.Name);
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["n1", "n2"], seen);
    }

    [Fact]
    public async Task ALabelChangeOutOfAWatchedSelectionIsADeletedForThatWatch()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web", labels: new Dictionary<string, string> { ["app"] = "web" }), "default");
        var list = await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web");
        await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"app":"other"}}}""", V1Patch.PatchType.MergePatch), "web", "default");
        await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"app":"web"}}}""", V1Patch.PatchType.MergePatch), "web", "default");

        using var cts = new CancellationTokenSource(Guard);
        var seen = new List<WatchEventType>();
        await foreach (var (type, _) in client.CoreV1.WatchListNamespacedPodAsync("default", labelSelector: "app=web", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            seen.Add(type);
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([WatchEventType.Deleted, WatchEventType.Added], seen);
    }

    [Fact]
    public async Task ABookmarkCarriesTheCurrentResourceVersion()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var list = await client.CoreV1.ListNodeAsync();
        // A change the watch does not select still moves the resourceVersion a bookmark reports.
        await client.CoreV1.CreateNamespacedPodAsync(Pod("elsewhere"), "default");

        using var cts = new CancellationTokenSource(Guard);
        var watch = client.CoreV1.WatchListNodeAsync(resourceVersion: list.Metadata.ResourceVersion, allowWatchBookmarks: true, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var next = watch.MoveNextAsync().AsTask();
        while (!next.IsCompleted)
        {
            // The watch request may not have reached the server yet; a bookmark only goes to open watches.
            server.SendBookmarks();
            await Task.WhenAny(next, Task.Delay(50, cts.Token));
        }

        Assert.True(await next);
        Assert.Equal(WatchEventType.Bookmark, watch.Current.Item1);
        Assert.Equal(server.ResourceVersion.ToString(CultureInfo.InvariantCulture), watch.Current.Item2.Metadata.ResourceVersion);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task AWatchFromBeforeTheHistoryWindowGets410Expired()
    {
        await using var server = await StartAsync(historyLimit: 2);
        using var client = server.CreateClient();
        var list = await client.CoreV1.ListNamespacedPodAsync("default");
        foreach (var name in new[] { "p1", "p2", "p3" })
        {
            await client.CoreV1.CreateNamespacedPodAsync(Pod(name), "default");
        }

        using var cts = new CancellationTokenSource(Guard);
        Exception? error = null;
        var events = 0;
        try
        {
            await foreach (var _ in client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: list.Metadata.ResourceVersion, onError: e => error = e, cancellationToken: cts.Token))
            {
                events++;
            }
        }
        catch (KubernetesException e)
        {
            error = e;
        }

        var expired = Assert.IsType<KubernetesException>(error);
        Assert.Equal(0, events);
        Assert.Equal(410, expired.Status.Code);
        Assert.Equal("Expired", expired.Status.Reason);
    }

    [Fact]
    public async Task ClosingWatchesEndsTheirStreamsAndARewatchFromTheLastVersionMissesNothing()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var list = await client.CoreV1.ListNamespacedPodAsync("default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), "default");

        using var cts = new CancellationTokenSource(Guard);
        var lastVersion = list.Metadata.ResourceVersion;
        var firstRun = new List<string>();
        await foreach (var (_, pod) in client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: lastVersion, cancellationToken: cts.Token))
        {
            firstRun.Add(pod.Metadata.Name);
            lastVersion = pod.Metadata.ResourceVersion;
            Assert.Equal(1, server.CloseWatches());
            // A change made while no watch is open is replayed to the next one.
            await client.CoreV1.CreateNamespacedPodAsync(Pod("p2"), "default");
        }

        var secondRun = new List<string>();
        await foreach (var (_, pod) in client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: lastVersion, cancellationToken: cts.Token))
        {
            secondRun.Add(pod.Metadata.Name);
            break;
        }

        Assert.Equal(["p1"], firstRun);
        Assert.Equal(["p2"], secondRun);
    }

    [Fact]
    public async Task AWatchAskingForInitialEventsEndsThemWithAMarkedBookmark()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), "default");

        using var cts = new CancellationTokenSource(Guard);
        var seen = new List<(WatchEventType, V1Pod)>();
        await foreach (var change in client.CoreV1.WatchListNamespacedPodAsync("default", allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", cancellationToken: cts.Token))
        {
            seen.Add(change);
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(WatchEventType.Added, seen[0].Item1);
        Assert.Equal("p1", seen[0].Item2.Metadata.Name);
        Assert.Equal(WatchEventType.Bookmark, seen[1].Item1);
        Assert.Equal("true", seen[1].Item2.Metadata.Annotations["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task AWatchEndsAfterItsTimeoutSeconds()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        // KubernetesClient throws EndOfStreamException on a watch that ends before its first line,
        // as it would against a real server; one object makes the watch's first line.
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n1" } });
        using var cts = new CancellationTokenSource(Guard);

        var events = 0;
        await foreach (var _ in client.CoreV1.WatchListNodeAsync(timeoutSeconds: 1, cancellationToken: cts.Token))
        {
            events++;
        }

        Assert.Equal(1, events);
        Assert.False(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task ADryRunWriteAnswersWithoutStoring()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        var before = server.ResourceVersion;

        var answered = await client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), "default", dryRun: "All");

        Assert.Equal("p1", answered.Metadata.Name);
        Assert.Equal(before, server.ResourceVersion);
        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync("default")).Items);
    }
}

using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>
/// Found by fuzzing the agent bodies: a pod whose quantity KubernetesClient cannot read ("4Gx") threw an
/// ArgumentException out of the cluster grain, after a resync had already cleared the cluster's pods. The
/// bad object must be refused or isolated; the rest of the cluster is never lost.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class FuzzFoundAgentObjectTests(KarpoSiloFactory silo)
{
    [Theory]
    [InlineData(1, "2Kx", "256Mi")]
    [InlineData(2, "250m", "4Gx")]
    public async Task A_resync_with_an_unreadable_quantity_loses_no_other_pod(int n, string cpu, string memory)
    {
        var clusterId = $"fuzz-resync-{n}";
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var agent = silo.CreateClient(await admin.RegisterAsync(clusterId));
        using (var before = await agent.PutJsonAsync($"/api/v1/clusters/{clusterId}/state", ApiJson.Snapshot(ApiJson.PendingPod("keep-0"), ApiJson.PendingPod("keep-1"))))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var response = await agent.PutJsonAsync(
            $"/api/v1/clusters/{clusterId}/state",
            ApiJson.Snapshot(ApiJson.PendingPod("keep-0"), ApiJson.PendingPod("bad-0", cpu, memory), ApiJson.PendingPod("keep-1")));

        var status = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}")).ReadAsync<ClusterStatus>();
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            // Refused whole at the API, naming the object: nothing changed.
            Assert.StartsWith("objects[1]", (await response.ReadErrorAsync()).Field, StringComparison.Ordinal);
        }
        else
        {
            // Accepted with the bad object reported and skipped.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = await response.ReadAsync<SyncResult>();
            Assert.Equal(2, result.Applied);
            Assert.Contains(result.Errors, e => e.StartsWith("objects[1]", StringComparison.Ordinal));
        }

        Assert.Equal(2, status.Pods);
    }

    [Fact]
    public async Task A_resync_with_a_budget_whose_max_unavailable_is_an_object_loses_no_pod()
    {
        // Found by AFL: KubernetesClient's int-or-string converter throws NotSupportedException for an object.
        const string ClusterId = "fuzz-resync-pdb";
        const string Budget = """{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"web","namespace":"default"},"spec":{"maxUnavailable":{"matchLabels":{"app":"web"}}}}""";
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var agent = silo.CreateClient(await admin.RegisterAsync(ClusterId));

        using var response = await agent.PutJsonAsync(
            $"/api/v1/clusters/{ClusterId}/state",
            ApiJson.Snapshot(ApiJson.PendingPod("keep-0"), new ClusterObject(ObjectKind.PodDisruptionBudget, Budget), ApiJson.PendingPod("keep-1")));

        var status = await (await admin.GetAsync($"/api/v1/clusters/{ClusterId}")).ReadAsync<ClusterStatus>();
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            Assert.StartsWith("objects[1]", (await response.ReadErrorAsync()).Field, StringComparison.Ordinal);
            Assert.Equal(0, status.Pods);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = await response.ReadAsync<SyncResult>();
            Assert.Equal(2, result.Applied);
            Assert.Contains(result.Errors, e => e.StartsWith("objects[1]", StringComparison.Ordinal));
            Assert.Equal(2, status.Pods);
        }
    }

    [Fact]
    public async Task A_delta_with_an_unreadable_quantity_is_reported_and_the_stream_goes_on()
    {
        const string ClusterId = "fuzz-deltas";
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var agent = silo.CreateClient(await admin.RegisterAsync(ClusterId));
        using (var before = await agent.PutJsonAsync($"/api/v1/clusters/{ClusterId}/state", new ClusterSnapshot("s-1", 1, [ApiJson.PendingPod("keep-0")])))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var bad = ApiJson.PendingPod("bad-0", memory: "4Gx");
        var good = ApiJson.PendingPod("next-0");
        using var response = await agent.PostJsonAsync($"/api/v1/clusters/{ClusterId}/deltas", new DeltaBatch("s-1",
        [
            new ObjectDelta(2, DeltaType.Upsert, ObjectKind.Pod, "default", "bad-0", bad.Json),
            new ObjectDelta(3, DeltaType.Upsert, ObjectKind.Pod, "default", "next-0", good.Json),
        ]));

        var status = await (await admin.GetAsync($"/api/v1/clusters/{ClusterId}")).ReadAsync<ClusterStatus>();
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            Assert.StartsWith("deltas[0]", (await response.ReadErrorAsync()).Field, StringComparison.Ordinal);
            Assert.Equal(1, status.Pods);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = await response.ReadAsync<SyncResult>();
            Assert.Equal(1, result.Applied);
            Assert.Equal(3, result.LastSequence);
            Assert.Contains(result.Errors, e => e.StartsWith("sequence 2", StringComparison.Ordinal));
            Assert.Equal(2, status.Pods);
        }
    }
}

using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>
/// Bad objects through the agent API: refused one by one with a located error in the sync result, never
/// stored, and the cluster's other pods still get NodeClaims from the batch timer.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BadObjectApiTests(KarpoSiloFactory silo)
{
    private const string NodePool = """
        {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "default"},
         "spec": {"template": {"spec": {
           "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
           "requirements": [{"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["m"]}]}}}}
        """;

    [Fact]
    public async Task Huge_quantities_and_misnamed_deltas_are_refused_and_the_other_pod_still_gets_a_NodeClaim()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("api-bad");
        using var agent = silo.CreateClient(token);

        SyncResult snapshot;
        using (var put = await agent.PutJsonAsync("/api/v1/clusters/api-bad/state", new ClusterSnapshot("s-1", 0,
        [
            new ClusterObject(ObjectKind.NodePool, NodePool),
            ApiJson.PendingPod("web-0"),
            ApiJson.PendingPod("huge-0", cpu: "99999999999999999999999"),
            ApiJson.PendingPod("minus-0", memory: "-4Gi"),
        ])))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            snapshot = await put.ReadAsync<SyncResult>();
        }

        SyncResult deltas;
        using (var post = await agent.PostJsonAsync("/api/v1/clusters/api-bad/deltas", new DeltaBatch("s-1",
        [
            new ObjectDelta(1, DeltaType.Upsert, ObjectKind.Pod, "default", "huge-1", ApiJson.PendingPod("huge-1", cpu: "1e30").Json),
            new ObjectDelta(2, DeltaType.Upsert, ObjectKind.Pod, "default", "ghost", ApiJson.PendingPod("web-1").Json),
        ])))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            deltas = await post.ReadAsync<SyncResult>();
        }

        Assert.Equal(
        [
            "objects[2] (Pod default/huge-0): spec.containers[0].resources.requests.cpu: \"99999999999999999999999\" is more than the solver can hold (cpu at most 9007199254740992m)",
            "objects[3] (Pod default/minus-0): spec.containers[0].resources.requests.memory: \"-4Gi\" is negative",
        ], snapshot.Errors);
        Assert.Equal(
        [
            "sequence 1 (Pod default/huge-1): spec.containers[0].resources.requests.cpu: \"1e30\" is more than the solver can hold (cpu at most 9007199254740992m)",
            "sequence 2 (Pod default/ghost): the delta names \"default/ghost\" but its object is \"default/web-1\"; refused, nothing stored",
        ], deltas.Errors);
        Assert.Equal(2L, deltas.LastSequence);

        // The batch timer provisions the one good pod; nothing refused was stored.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        ClusterStatus status;
        do
        {
            status = await (await agent.GetAsync("/api/v1/clusters/api-bad")).ReadAsync<ClusterStatus>();
            if (status.NodeClaims > 0)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTimeOffset.UtcNow < deadline);

        Assert.True(status.NodeClaims > 0, "no NodeClaim for default/web-0 within 60 s");
        Assert.Equal(1, status.Pods);
        Assert.Equal(1, status.PendingPods);
    }
}

using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Service.Tests.Storage;
using Karpenter.Orleans.Service.Tests.TestSupport;
using Karpenter.Orleans.Storage;
using static Karpenter.Orleans.Service.Tests.TestSupport.TestObjects;

namespace Karpenter.Orleans.Service.Tests.Grains;

/// <summary>
/// Claims in flight as the cluster grain hands them to the solver: a joined node that has not reported its
/// resources takes pods with its claim's capacity, and a claim's taints hold after a restart (read back from
/// the index's text form).
/// </summary>
public sealed class InFlightNodeClaimTests
{
    [Fact]
    public async Task A_joined_node_without_allocatable_keeps_its_nominations_and_takes_new_pods_with_its_claims_capacity()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "joined", [Pod("api-0")]);
        await cluster.ProvisionAsync();
        var claim = Assert.Single(await cluster.GetNodeClaimsAsync());
        var node = NodeFor(claim);
        node.Status.Allocatable = null;

        var applied = await cluster.ApplyDeltasAsync(new DeltaBatch("session-1", [Upsert(1, node), Upsert(2, Pod("late-0", cpu: "100m", memory: "128Mi"))]));
        var report = await cluster.ProvisionAsync();

        Assert.Empty(applied.Errors);
        Assert.Equal(NodeClaimPhase.Registered, Assert.Single(await cluster.GetNodeClaimsAsync()).Phase);
        Assert.Equal(0, report.NodeClaimsCreated);
        var pending = await cluster.GetPendingPodsAsync();
        Assert.All(pending, p => Assert.Equal(claim.Name, p.NodeClaim));
        Assert.Contains("(registered)", pending.Single(p => p.Name == "late-0").Reason, StringComparison.Ordinal);
        Assert.Equal(1, service.Cloud.InstancesCreated);
    }

    [Fact]
    public async Task The_API_lists_each_claim_with_the_labels_and_taints_its_node_gets()
    {
        await using var service = await ServiceCluster.StartAsync();
        var cluster = await RegisterAsync(service.Grains, "labelled", [Tolerating(Pod("db-0", cpu: "250m", memory: "256Mi"))], TaintedNodePool);
        await cluster.ProvisionAsync();

        var claim = Assert.Single(await cluster.GetNodeClaimsAsync());

        // The agent labels and taints the claim's Node from these.
        Assert.Equal(["dedicated=db:NoSchedule"], claim.Taints);
        Assert.Equal("db", claim.Labels["karpenter.sh/nodepool"]);
    }

    [Fact]
    public async Task An_in_flight_claims_taints_still_keep_pods_off_after_a_restart()
    {
        var folder = Path.Combine(Path.GetTempPath(), "karpo-inflight-" + Guid.NewGuid().ToString("N"));
        try
        {
            var storage = new KarpoStorageOptions { Provider = StorageProvider.Sqlite, SqlitePath = Path.Combine(folder, "karpo.db") };
            var world = new DurableServiceCluster.World();
            var serviceId = StorageTestClusters.UniqueId("inflight-svc");
            string claimName;
            await using (var first = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("inflight")))
            {
                var cluster = await RegisterAsync(first.Grains, "tainted", [Tolerating(Pod("db-0", cpu: "250m", memory: "256Mi"))], TaintedNodePool);
                await cluster.ProvisionAsync();
                claimName = Assert.Single(await cluster.GetNodeClaimsAsync()).Name;
            }

            await using var second = await DurableServiceCluster.StartAsync(world, storage, serviceId, StorageTestClusters.UniqueId("inflight"));
            var again = second.Grains.GetGrain<IClusterGrain>("tainted");
            await again.ResyncAsync(new ClusterSnapshot("session-2", 0,
            [
                new ClusterObject(ObjectKind.NodePool, TaintedNodePool),
                Object(Tolerating(Pod("db-0", cpu: "250m", memory: "256Mi"))),
                Object(Tolerating(Pod("db-1", cpu: "100m", memory: "128Mi"))),
                Object(Pod("plain", cpu: "100m", memory: "128Mi")),
            ]));
            var report = await again.ProvisionAsync();

            Assert.Equal(0, report.NodeClaimsCreated);
            var pending = (await again.GetPendingPodsAsync()).ToDictionary(p => p.Name);
            Assert.Equal(claimName, pending["db-0"].NodeClaim);
            Assert.Equal(claimName, pending["db-1"].NodeClaim);
            Assert.Null(pending["plain"].NodeClaim);
            Assert.Contains("dedicated", pending["plain"].Reason, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static readonly string TaintedNodePool = """
        {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "db"},
         "spec": {
           "template": {"spec": {
             "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
             "taints": [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}],
             "requirements": [
               {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
               {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]},
               {"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["c", "m", "r"]}
             ]}},
           "disruption": {"consolidationPolicy": "WhenEmpty", "consolidateAfter": "30s"}
         }}
        """;

    private static V1Pod Tolerating(V1Pod pod)
    {
        pod.Spec.Tolerations = [new V1Toleration { Key = "dedicated", OperatorProperty = "Equal", Value = "db", Effect = "NoSchedule" }];
        return pod;
    }
}

using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using Karpenter.Orleans.Agent.Tests.TestSupport;
using static Karpenter.Orleans.Agent.Tests.AgentCluster;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>
/// What a Karpenter user does, with the real kubectl: apply the CRDs from deploy/ and the NodePools and
/// EC2NodeClasses from examples/, create pods, and read back with <c>kubectl get</c> and <c>kubectl describe</c>
/// what the real silo decided and the real agent wrote into the cluster.
/// </summary>
public sealed class KubectlEndToEndTests
{
    private const string Pods = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-0
          labels: {app: web}
        spec:
          containers:
            - name: app
              image: registry.example.com/web:1
              resources: {requests: {cpu: 500m, memory: 512Mi}}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          labels: {app: web}
        spec:
          containers:
            - name: app
              image: registry.example.com/web:1
              resources: {requests: {cpu: 500m, memory: 512Mi}}
        """;

    [SkippableFact]
    public async Task Kubectl_shows_the_NodeClaims_the_service_made_for_pending_pods_with_the_NodePools_status_and_the_pods_events()
    {
        Skip.If(Kubectl is null, "kubectl is not installed and could not be installed here (scripts/test.sh installs Debian's kubectl with apt-get)");
        await using var rig = await AgentRig.StartAsync(BadInputTests.FastService, installCrds: false);
        await KubectlAsync(rig.Server, "apply", "-k", Repository("deploy/crds"));
        await KubectlAsync(rig.Server, "apply", "-f", Repository("examples/aws/ec2nodeclasses.yaml"));
        await KubectlAsync(rig.Server, "apply", "-f", Repository("examples/simulate/nodepools.yaml"));
        var pods = Path.Combine(rig.Directory, "pods.yaml");
        await File.WriteAllTextAsync(pods, Pods);
        await KubectlAsync(rig.Server, "apply", "-f", pods);

        await rig.StartAgentAsync(BadInputTests.FastAgent);

        // Generous: under load the silo, the agent's polls and the API server share a few cores.
        string[] claims = [];
        await rig.EventuallyAsync("NodeClaim objects for both pods, launched, counted in NodePool general's status, and both pods nominated", async () =>
        {
            var pending = await rig.PendingAsync();
            claims = [.. (await ClaimObjectsAsync(rig)).Where(c => c.Launched).Select(c => c.Name).Order(StringComparer.Ordinal)];
            var general = (JsonElement)await rig.Kube.CustomObjects.GetClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools", "general");
            var events = (await rig.Kube.CoreV1.ListNamespacedEventAsync("default")).Items;
            return pending.Length == 2 && pending.All(p => p.NodeClaim is not null && claims.Contains(p.NodeClaim))
                && general.TryGetProperty("status", out var status) && status.TryGetProperty("nodes", out var nodes) && nodes.GetInt32() == claims.Length
                && pending.All(p => events.Any(e => e.Reason == "Nominated" && e.InvolvedObject.Name == p.Name));
        }, seconds: 240);

        var table = await KubectlAsync(rig.Server, "get", "nodepools,nodeclaims");
        // NAME, NODECLASS, NODES, READY: the claims count as the NodePool's nodes from launch on, as Karpenter counts them.
        Assert.Matches($@"nodepool\.karpenter\.sh/general\s+default\s+{claims.Length}\s+True\s", table);
        Assert.Matches(@"nodepool\.karpenter\.sh/gpu\s+default\s+0\s+True\s", table);
        foreach (var claim in claims)
        {
            // NAME, TYPE, CAPACITY, ZONE: the offering the service chose.
            Assert.Matches($@"nodeclaim\.karpenter\.sh/{Regex.Escape(claim)}\s+[a-z0-9]+\.[a-z0-9]+\s+(spot|on-demand)\s+us-east-1[a-f]\s", table);
        }

        var wide = await KubectlAsync(rig.Server, "get", "nodepool", "general", "-o", "jsonpath={.status.resources.cpu} {.status.resources.memory} {.status.resources.nodes}");
        Assert.Matches($@"^[0-9]+m? [0-9]+(Mi|Ki)? {claims.Length}$", wide.Trim());
        Assert.Matches(@"default\s+True\s", await KubectlAsync(rig.Server, "get", "ec2nodeclasses"));

        var nominated = (await rig.PendingAsync()).Single(p => p.Name == "web-0").NodeClaim!;
        var described = await KubectlAsync(rig.Server, "describe", "pod", "web-0");
        Assert.Matches($@"Normal\s+Nominated\s+.*karpenter\s+Pod should schedule on: nodeclaim/{Regex.Escape(nominated)}", described);
        var claimDescribed = await KubectlAsync(rig.Server, "describe", "nodeclaim", nominated);
        Assert.Matches(@"Normal\s+Launched\s+.*Status condition transitioned, Type: Launched, Status: Unknown -> True", claimDescribed);
        Assert.Contains("karpenter.sh/nodepool=general", claimDescribed, StringComparison.Ordinal);
    }

    private static async Task<List<(string Name, bool Launched)>> ClaimObjectsAsync(AgentRig rig)
    {
        var list = (JsonElement)await rig.Kube.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodeclaims");
        return [.. list.GetProperty("items").EnumerateArray().Select(o => (
            o.GetProperty("metadata").GetProperty("name").GetString()!,
            o.TryGetProperty("status", out var s) && s.TryGetProperty("conditions", out var conditions)
                && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Launched" && c.GetProperty("status").GetString() == "True")))];
    }

    private static string Repository(string path, [CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", path));
}

using System.Text.Json;
using k8s;
using Karpenter.Orleans.Agent.Tests.TestSupport;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>Malformed NodePools and EC2NodeClasses in the cluster: skipped, reported in their own status, and the rest provisions.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task A_malformed_NodePool_and_EC2NodeClass_there_before_the_agent_starts_are_skipped_and_say_why_in_their_status()
    {
        await using var rig = await AgentRig.StartAsync(FastService);
        await CreateAsync(rig, "ec2nodeclasses", """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"default"},"spec":{"role":"KarpenterNodeRole","amiSelectorTerms":[{"alias":"al2023@latest"}]}}""");
        // No spec at all: the service refuses it.
        await CreateAsync(rig, "ec2nodeclasses", """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"broken"}}""");
        await rig.CreateNodePoolAsync("general");
        await CreateAsync(rig, "nodepools", """
            {"apiVersion":"karpenter.sh/v1","kind":"NodePool","metadata":{"name":"broken"},
             "spec":{"template":{"spec":{"nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"default"},
               "taints":[{"key":"team","value":"a","effect":"Sometimes"}],
               "requirements":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}]}}}}
            """);
        await rig.CreatePodAsync("web-0");

        await rig.StartAgentAsync(FastAgent);

        await rig.EventuallyAsync("NodePool broken's status names the bad field", async () =>
            Condition(await GetAsync(rig, "nodepools", "broken"), "ValidationSucceeded") is { } c
            && c.GetProperty("status").GetString() == "False"
            && c.GetProperty("message").GetString()!.Contains("spec.template.spec.taints[0].effect", StringComparison.Ordinal));
        await rig.EventuallyAsync("EC2NodeClass broken's status says the service refused it", async () =>
            Condition(await GetAsync(rig, "ec2nodeclasses", "broken"), "ValidationSucceeded") is { } c
            && c.GetProperty("status").GetString() == "False"
            && c.GetProperty("message").GetString()!.Contains("spec", StringComparison.Ordinal));
        await rig.EventuallyAsync("the good NodePool and EC2NodeClass Ready, and a NodeClaim of the good NodePool for the pending pod", async () =>
            Condition(await GetAsync(rig, "nodepools", "general"), "Ready")?.GetProperty("status").GetString() == "True"
            && Condition(await GetAsync(rig, "ec2nodeclasses", "default"), "Ready")?.GetProperty("status").GetString() == "True"
            && (await rig.NodeClaimsAsync()).Any(c => c.NodePool == "general"));

        Assert.Equal("False", Condition(await GetAsync(rig, "nodepools", "broken"), "Ready")!.Value.GetProperty("status").GetString());
        Assert.Equal("False", Condition(await GetAsync(rig, "ec2nodeclasses", "broken"), "Ready")!.Value.GetProperty("status").GetString());
        // The service holds the broken NodePool as invalid (so its API says why too) and launches nothing for it.
        var pools = await rig.NodePoolsAsync();
        Assert.Contains(pools, p => p is { Name: "broken", Valid: false } && p.Error!.Contains("taints[0].effect", StringComparison.Ordinal));
        Assert.Contains(pools, p => p is { Name: "general", Valid: true });
        Assert.DoesNotContain(await rig.NodeClaimsAsync(), c => c.NodePool == "broken");
        Assert.NotNull(rig.Worker.Streamer);
    }

    [Fact]
    public async Task A_NodePool_fixed_after_the_agent_started_becomes_valid_and_one_deleted_is_forgotten()
    {
        await using var rig = await AgentRig.StartAsync(AgentStreamingTests.SlowProvisioning);
        await CreateAsync(rig, "nodepools", """
            {"apiVersion":"karpenter.sh/v1","kind":"NodePool","metadata":{"name":"broken"},
             "spec":{"template":{"spec":{"nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"default"},
               "requirements":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}],"taints":[{"key":"team","effect":"Sometimes"}]}}}}
            """);
        await CreateAsync(rig, "nodepools", """
            {"apiVersion":"karpenter.sh/v1","kind":"NodePool","metadata":{"name":"doomed"},
             "spec":{"template":{"spec":{"nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"default"},
               "requirements":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}],"taints":[{"key":"team","effect":"Sometimes"}]}}}}
            """);
        await rig.StartAgentAsync(FastAgent);
        await rig.EventuallyAsync("both invalid in the service", async () => (await rig.NodePoolsAsync()).Count(p => !p.Valid) == 2);

        await rig.Kube.CustomObjects.PatchClusterCustomObjectAsync(
            new k8s.Models.V1Patch("""{"spec":{"template":{"spec":{"taints":[{"key":"team","effect":"NoSchedule"}]}}}}""", k8s.Models.V1Patch.PatchType.MergePatch),
            "karpenter.sh", "v1", "nodepools", "broken");
        await rig.Kube.CustomObjects.DeleteClusterCustomObjectAsync("karpenter.sh", "v1", "nodepools", "doomed");

        await rig.EventuallyAsync("broken valid and doomed gone from the service", async () => (await rig.NodePoolsAsync()) is [{ Name: "broken", Valid: true }]);
        await rig.EventuallyAsync("broken's status ValidationSucceeded=True", async () =>
            Condition(await GetAsync(rig, "nodepools", "broken"), "ValidationSucceeded")?.GetProperty("status").GetString() == "True");
    }

    private static Task CreateAsync(AgentRig rig, string plural, string json) =>
        rig.Kube.CustomObjects.CreateClusterCustomObjectAsync(JsonDocument.Parse(json).RootElement, plural == "nodepools" ? "karpenter.sh" : "karpenter.k8s.aws", "v1", plural);

    private static async Task<JsonElement> GetAsync(AgentRig rig, string plural, string name) =>
        (JsonElement)await rig.Kube.CustomObjects.GetClusterCustomObjectAsync(plural == "nodepools" ? "karpenter.sh" : "karpenter.k8s.aws", "v1", plural, name);

    private static JsonElement? Condition(JsonElement obj, string type) =>
        obj.TryGetProperty("status", out var status) && status.TryGetProperty("conditions", out var conditions)
            ? conditions.EnumerateArray().Cast<JsonElement?>().FirstOrDefault(c => c!.Value.GetProperty("type").GetString() == type)
            : null;

    internal static readonly IReadOnlyDictionary<string, string?> FastService = new Dictionary<string, string?>
    {
        ["Karpo:Provisioning:BatchIdleDuration"] = "00:00:00.200",
        ["Karpo:Provisioning:BatchMaxDuration"] = "00:00:02",
        ["Karpo:Provisioning:ReconcileInterval"] = "00:00:00.500",
        ["Karpo:SimulatedCloud:BootDelay"] = "00:00:00.500",
        ["Karpo:SimulatedCloud:AutomaticInterruptions"] = "false",
        ["Karpo:SimulatedCloud:AutomaticRebalanceRecommendations"] = "false",
        ["Karpo:SimulatedCloud:ScheduledChangesPerInstanceDay"] = "0",
    };

    internal static readonly IReadOnlyDictionary<string, string?> FastAgent = new Dictionary<string, string?>
    {
        ["Agent:CommandPollInterval"] = "00:00:00.200",
        ["Agent:NodeClaimPollInterval"] = "00:00:00.300",
        ["Agent:FeedbackPollInterval"] = "00:00:00.300",
    };
}

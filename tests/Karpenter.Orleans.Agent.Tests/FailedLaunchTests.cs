using System.Text.Json;
using k8s;
using Karpenter.Orleans.Agent.Tests.TestSupport;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.CloudProviders.Simulated;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>A cloud that refuses every launch: the user sees why on the NodeClaim objects, as in Karpenter.</summary>
public sealed class FailedLaunchTests
{
    [Fact]
    public async Task A_refused_launch_shows_on_its_NodeClaim_object_as_Launched_False_with_the_clouds_reason_and_a_warning_event()
    {
        await using var rig = await AgentRig.StartAsync(BadInputTests.FastService);
        var cloud = rig.Silo.Services.GetRequiredService<SimulatedCloudProvider>();
        cloud.FailCalls(SimulatedCloudOperations.Launch, CloudErrorCode.Unauthorized, message: "UnauthorizedOperation: not authorized to perform ec2:CreateFleet");
        await rig.Kube.CustomObjects.CreateClusterCustomObjectAsync(JsonDocument.Parse("""
            {"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"default"},"spec":{"role":"KarpenterNodeRole","amiSelectorTerms":[{"alias":"al2023@latest"}]}}
            """).RootElement, "karpenter.k8s.aws", "v1", "ec2nodeclasses");
        await rig.CreateNodePoolAsync("general");
        await rig.CreatePodAsync("web-0");

        await rig.StartAgentAsync(BadInputTests.FastAgent);

        JsonElement launched = default;
        await rig.EventuallyAsync("a NodeClaim object of NodePool general with Launched=False", async () =>
        {
            var list = (JsonElement)await rig.Kube.CustomObjects.ListClusterCustomObjectAsync("karpenter.sh", "v1", "nodeclaims");
            foreach (var item in list.GetProperty("items").EnumerateArray())
            {
                if (item.TryGetProperty("status", out var status) && status.TryGetProperty("conditions", out var conditions)
                    && conditions.EnumerateArray().FirstOrDefault(c => c.GetProperty("type").GetString() == "Launched") is { ValueKind: JsonValueKind.Object } c
                    && c.GetProperty("status").GetString() == "False")
                {
                    launched = c;
                    return true;
                }
            }

            return false;
        }, seconds: 120);

        Assert.Equal("Unauthorized", launched.GetProperty("reason").GetString());
        Assert.StartsWith("launch failed: Unauthorized: UnauthorizedOperation: not authorized to perform ec2:CreateFleet", launched.GetProperty("message").GetString(), StringComparison.Ordinal);
        await rig.EventuallyAsync("a Warning event on a NodeClaim saying the launch was refused", async () =>
            (await rig.Kube.CoreV1.ListNamespacedEventAsync("default")).Items.Any(e => e.InvolvedObject.Kind == "NodeClaim" && e.Type == "Warning"
                && e.Reason == "Launched" && e.Message.Contains("Reason: Unauthorized, Message: launch failed: Unauthorized", StringComparison.Ordinal)));
    }
}

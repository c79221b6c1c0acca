using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using k8s;
using Karpenter.Orleans.Agent.Tests.TestSupport;

namespace Karpenter.Orleans.Agent.Tests;

/// <summary>The AWS provider against moto: what it resolved for an EC2NodeClass reaches the object's status through the agent.</summary>
public sealed class AwsNodeClassStatusTests
{
    [Fact]
    public async Task An_EC2NodeClass_shows_the_subnets_and_security_groups_the_AWS_provider_resolved_and_one_that_selects_none_says_so()
    {
        var endpoint = Environment.GetEnvironmentVariable("KARPO_TEST_EC2_ENDPOINT");
        Assert.False(string.IsNullOrEmpty(endpoint), "KARPO_TEST_EC2_ENDPOINT is not set: run the tests through scripts/test.sh, which starts moto_server");
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), new AmazonEC2Config { ServiceURL = endpoint, AuthenticationRegion = "us-east-1" });
        var subnets = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.Select(s => s.SubnetId).Order(StringComparer.Ordinal).ToList();
        var groups = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["default"])] })).SecurityGroups.Select(g => g.GroupId).ToList();
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [.. subnets, .. groups], Tags = [new Tag($"kubernetes.io/cluster/{AgentRig.ClusterId}", "shared")] });

        await using var rig = await AgentRig.StartAsync(new Dictionary<string, string?>
        {
            ["Karpo:Aws:ServiceUrl"] = endpoint,
            ["Karpo:Aws:Regions:0"] = "us-east-1",
        }, provider: "aws");
        // Subnets and security groups tagged for the cluster, as EKS tags them.
        var tagged = JsonNode.Parse($$$"""
            {"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"default"},
             "spec":{"role":"KarpoNodeRole","amiSelectorTerms":[{"alias":"al2023@latest"}],
               "subnetSelectorTerms":[{"tags":{"kubernetes.io/cluster/{{{AgentRig.ClusterId}}}":"*"}}],
               "securityGroupSelectorTerms":[{"tags":{"kubernetes.io/cluster/{{{AgentRig.ClusterId}}}":"*"}}]}}
            """)!.AsObject();
        var nowhere = (JsonObject)tagged.DeepClone();
        nowhere["metadata"] = new JsonObject { ["name"] = "nowhere" };
        nowhere["spec"]!["subnetSelectorTerms"] = new JsonArray(new JsonObject { ["tags"] = new JsonObject { ["karpenter.sh/discovery"] = "no-such-cluster" } });
        foreach (var nodeClass in new[] { tagged, nowhere })
        {
            await rig.Kube.CustomObjects.CreateClusterCustomObjectAsync(JsonDocument.Parse(nodeClass.ToJsonString()).RootElement, "karpenter.k8s.aws", "v1", "ec2nodeclasses");
        }

        await rig.StartAgentAsync(BadInputTests.FastAgent);

        await rig.EventuallyAsync("both EC2NodeClasses' status written from what the provider resolved", async () =>
            (await StatusAsync(rig, "default"))?.TryGetProperty("subnets", out _) == true
            && (await StatusAsync(rig, "nowhere"))?.TryGetProperty("conditions", out _) == true, seconds: 180);

        var resolved = (await StatusAsync(rig, "default"))!.Value;
        Assert.Equal(subnets, resolved.GetProperty("subnets").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(groups, resolved.GetProperty("securityGroups").EnumerateArray().Select(g => g.GetProperty("id").GetString()!));
        Assert.Equal(("True", "True", "True"), (Condition(resolved, "SubnetsReady"), Condition(resolved, "SecurityGroupsReady"), Condition(resolved, "Ready")));
        Assert.NotEmpty(resolved.GetProperty("amis").EnumerateArray());
        Assert.Equal("KarpoNodeRole", resolved.GetProperty("role").GetString());
        var missing = (await StatusAsync(rig, "nowhere"))!.Value;
        Assert.Equal(("False", "False"), (Condition(missing, "SubnetsReady"), Condition(missing, "Ready")));
        Assert.Contains("no subnet matches spec.subnetSelectorTerms",
            missing.GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Ready").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("True", Condition(missing, "ValidationSucceeded"));
    }

    private static async Task<JsonElement?> StatusAsync(AgentRig rig, string name) =>
        ((JsonElement)await rig.Kube.CustomObjects.GetClusterCustomObjectAsync("karpenter.k8s.aws", "v1", "ec2nodeclasses", name)).TryGetProperty("status", out var status)
            ? status
            : null;

    private static string? Condition(JsonElement status, string type) =>
        status.GetProperty("conditions").EnumerateArray().FirstOrDefault(c => c.GetProperty("type").GetString() == type) is { ValueKind: JsonValueKind.Object } c
            ? c.GetProperty("status").GetString()
            : null;
}

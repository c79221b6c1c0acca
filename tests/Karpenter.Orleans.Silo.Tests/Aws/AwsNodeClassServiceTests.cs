using System.Net;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders.Aws;
using Karpenter.Orleans.CloudProviders.Aws.Tests;
using Karpenter.Orleans.Silo.Tests.Cli;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Aws;

/// <summary>
/// A cluster registered with provider aws sends its EC2NodeClasses through the agent API: the API shows each with
/// the status the AWS provider resolved against EC2 (moto), and the cluster's launches use the node class its
/// NodePool names (the instance runs in that node class's subnets, from its image, tagged with its name).
/// </summary>
[Collection(AwsSiloCollection.Name)]
public sealed class AwsNodeClassServiceTests(MotoServer moto) : IAsyncLifetime
{
    private const string Region = "us-east-1";
    private const string Cluster = "aws-nc";

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_api_shows_each_node_class_resolved_and_launches_use_the_one_the_NodePool_names()
    {
        using var ec2 = new AmazonEC2Client(MotoServer.Credentials, new AmazonEC2Config { ServiceURL = moto.Endpoint, AuthenticationRegion = Region });
        var subnets = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.OrderBy(s => s.AvailabilityZone, StringComparer.Ordinal).ToList();
        var tagged = subnets.Take(2).ToList();
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [.. tagged.Select(s => s.SubnetId)], Tags = [new Tag("karpenter.sh/discovery", Cluster)] });
        var group = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "nodes", Description = "nodes", VpcId = tagged[0].VpcId })).GroupId;
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [group], Tags = [new Tag("karpenter.sh/discovery", Cluster)] });

        await using var silo = new AwsSiloFactory(new Dictionary<string, string?>
        {
            ["Karpo:Aws:ServiceUrl"] = moto.Endpoint,
            ["Karpo:Aws:Regions:0"] = Region,
        }, () => new PassThroughHandler());
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using (var registered = await admin.PostJsonAsync("/api/v1/clusters", new ClusterRegistration(Cluster, AwsCloudProvider.ProviderName, Region, "123456789012")))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            using var agent = silo.CreateClient((await registered.ReadAsync<ClusterRegistrationResponse>()).AgentToken);
            using var resync = await agent.PutJsonAsync($"/api/v1/clusters/{Cluster}/state", ApiJson.Snapshot(
                new ClusterObject(ObjectKind.NodeClass, NodeClass("default", Cluster)),
                new ClusterObject(ObjectKind.NodeClass, NodeClass("nowhere", "no-such-cluster")),
                new ClusterObject(ObjectKind.NodePool, NodePool("general", "default", weight: 1)),
                new ClusterObject(ObjectKind.NodePool, NodePool("preferred", "absent", weight: 50)),
                ApiJson.PendingPod("web-0")));
            Assert.Empty((await resync.ReadAsync<SyncResult>()).Errors);
        }

        using var read = silo.CreateClient(KarpoSiloFactory.ReadToken);
        var listed = await (await read.GetAsync($"/api/v1/clusters/{Cluster}/nodeclasses")).ReadAsync<JsonElement[]>();
        Assert.Equal(["default", "nowhere"], listed.Select(n => n.GetProperty("name").GetString()));

        var ready = listed[0];
        Assert.True(ready.GetProperty("ready").GetBoolean());
        var status = ready.GetProperty("status");
        Assert.Equal(tagged.Select(s => s.SubnetId), status.GetProperty("subnets").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(tagged.Select(s => s.AvailabilityZone), status.GetProperty("subnets").EnumerateArray().Select(s => s.GetProperty("zone").GetString()));
        Assert.Equal([group], status.GetProperty("securityGroups").EnumerateArray().Select(g => g.GetProperty("id").GetString()));
        var amis = status.GetProperty("amis").EnumerateArray().ToList();
        Assert.Equal(["arm64", "amd64"], amis.Select(a => a.GetProperty("requirements")[0].GetProperty("values")[0].GetString()));
        Assert.All(amis, a => Assert.StartsWith("ami-", a.GetProperty("id").GetString(), StringComparison.Ordinal));
        Assert.Equal("KarpoNodeRole", status.GetProperty("instanceProfile").GetString());
        Assert.Contains(status.GetProperty("conditions").EnumerateArray(), c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True");

        var notReady = listed[1];
        Assert.False(notReady.GetProperty("ready").GetBoolean());
        var subnetsReady = notReady.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "SubnetsReady");
        Assert.Equal(("False", "SubnetsNotFound"), (subnetsReady.GetProperty("status").GetString(), subnetsReady.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.Null, notReady.GetProperty("statusError").ValueKind);

        // karpo shows the same, one row per node class.
        using var karpo = new KarpoFleet(silo.Server.CreateHandler());
        var run = karpo.Run("nodeclasses", Cluster, "--server", "http://localhost", "--token", KarpoSiloFactory.ReadToken);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var table = new FleetTable(run.Stdout);
        var printedReady = table.Rows.Single(r => r["NAME"] == "default");
        Assert.Equal(("True", "2", "1", "2", "-"), (printedReady["READY"], printedReady["SUBNETS"], printedReady["SECURITY GROUPS"], printedReady["AMIS"], printedReady["REASON"]));
        var printedNotReady = table.Rows.Single(r => r["NAME"] == "nowhere");
        Assert.Equal(("False", "0"), (printedNotReady["READY"], printedNotReady["SUBNETS"]));
        Assert.StartsWith("SubnetsNotFound: no subnet matches spec.subnetSelectorTerms", printedNotReady["REASON"], StringComparison.Ordinal);
        Assert.Equal(["2 node classes: 1 ready, 1 not ready"], table.Summary);

        // The heavier NodePool names a node class the cluster does not have: it says so, and launches nothing.
        var pools = await (await read.GetAsync($"/api/v1/clusters/{Cluster}/nodepools")).ReadAsync<JsonElement[]>();
        var preferred = pools.Single(p => p.GetProperty("name").GetString() == "preferred");
        Assert.False(preferred.GetProperty("nodeClassReady").GetBoolean());
        Assert.Equal("NodePool preferred launches nothing: its nodeClassRef names EC2NodeClass absent, which this cluster does not have (NodeClassReady=False)",
            preferred.GetProperty("nodeClassError").GetString());
        Assert.True(pools.Single(p => p.GetProperty("name").GetString() == "general").GetProperty("nodeClassReady").GetBoolean());

        // The pod launches through "general" with EC2NodeClass default.
        var claim = await UntilAsync(async () => (await (await read.GetAsync($"/api/v1/clusters/{Cluster}/nodeclaims")).ReadAsync<NodeClaimInfo[]>())
            .FirstOrDefault(c => c.InstanceId is not null), "the pod's NodeClaim has an instance");
        Assert.Equal("general", claim.NodePool);
        var instance = (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [claim.InstanceId!] })).Reservations.Single().Instances.Single();
        Assert.Contains(instance.SubnetId, tagged.Select(s => s.SubnetId));
        Assert.Equal(amis.Single(a => a.GetProperty("requirements")[0].GetProperty("values")[0].GetString() == "amd64").GetProperty("id").GetString(), instance.ImageId);
        Assert.Equal("default", instance.Tags.Single(t => t.Key == AwsTags.NodeClass).Value);
    }

    private static string NodeClass(string name, string discovery) => $$$"""
        {"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"{{{name}}}"},
         "spec":{"role":"KarpoNodeRole","amiSelectorTerms":[{"alias":"al2023@latest"}],
                 "subnetSelectorTerms":[{"tags":{"karpenter.sh/discovery":"{{{discovery}}}"}}],
                 "securityGroupSelectorTerms":[{"tags":{"karpenter.sh/discovery":"{{{discovery}}}"}}]}}
        """;

    private static string NodePool(string name, string nodeClass, int weight) => $$$"""
        {"apiVersion":"karpenter.sh/v1","kind":"NodePool","metadata":{"name":"{{{name}}}"},
         "spec":{"weight":{{{weight}}},"template":{"spec":{
           "nodeClassRef":{"group":"karpenter.k8s.aws","kind":"EC2NodeClass","name":"{{{nodeClass}}}"},
           "requirements":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]},
                           {"key":"karpenter.sh/capacity-type","operator":"In","values":["on-demand"]}]} } } }
        """;

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> find, string what, int timeoutSeconds = 60)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            if (await find() is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeoutSeconds}s waiting until {what}");
            }

            await Task.Delay(250);
        }
    }

    private sealed class PassThroughHandler : DelegatingHandler;
}

using System.Text;
using Amazon.EC2.Model;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Microsoft.Extensions.Time.Testing;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>An EC2NodeClass resolves against EC2 (moto) into subnets, groups and images, and launches get templates per resolved configuration.</summary>
[Collection(MotoCollection.Name)]
public sealed class AwsNodeClassResolverTests(MotoServer moto) : IAsyncLifetime, IDisposable
{
    private const string Region = "us-east-1";
    private AwsClientFactory _clients = null!;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _clients = new AwsClientFactory(moto.Options(Region), MotoServer.Credentials);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _clients?.Dispose();

    [Fact]
    public async Task Tagged_subnets_and_groups_and_the_al2023_alias_resolve()
    {
        var ec2 = _clients.Ec2(Region);
        var subnets = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets.OrderBy(s => s.AvailabilityZone, StringComparer.Ordinal).ToList();
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [subnets[0].SubnetId, subnets[1].SubnetId], Tags = [new Tag("karpenter.sh/discovery", "demo")] });
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [subnets[2].SubnetId], Tags = [new Tag("karpenter.sh/discovery", "other")] });
        var group = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "nodes", Description = "nodes", VpcId = subnets[0].VpcId })).GroupId;
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [group], Tags = [new Tag("karpenter.sh/discovery", "anything")] });
        var resolver = new AwsNodeClassResolver(_clients);

        var status = await resolver.ResolveAsync(Region, Document("""{"tags":{"karpenter.sh/discovery":"demo"}}""", """{"tags":{"karpenter.sh/discovery":"*"}}"""));

        Assert.True(status.IsReady, string.Join("; ", status.Problems));
        Assert.Equal([subnets[0].SubnetId, subnets[1].SubnetId], status.Subnets.Select(s => s.Id));
        Assert.Equal([subnets[0].AvailabilityZone, subnets[1].AvailabilityZone], status.Subnets.Select(s => s.Zone));
        Assert.All(status.Subnets, s => Assert.False(string.IsNullOrEmpty(s.ZoneId)));
        Assert.Equal([new ResolvedSecurityGroup(group, "nodes")], status.SecurityGroups);
        Assert.Equal(["arm64", "x86_64"], status.Amis.Select(a => a.Architecture));
        Assert.All(status.Amis, a => Assert.StartsWith("al2023-ami-2023.", a.Name, StringComparison.Ordinal));
        Assert.All(status.Amis, a => Assert.EndsWith(a.Architecture, a.Name, StringComparison.Ordinal));
        Assert.Equal("KarpenterNodeRole-demo", status.Role);
    }

    [Fact]
    public async Task The_provider_reports_an_invalid_node_class_and_another_kind_as_not_ready_in_the_status_shape_of_the_api()
    {
        using var aws = new AwsLaunchHarness(moto);
        Assert.Equal(new NodeClassType("karpenter.k8s.aws", "EC2NodeClass"), aws.Cloud.NodeClasses);

        var invalid = await aws.Cloud.ResolveNodeClassAsync(Region, new NodeClassDocument(EC2NodeClass.ApiVersion, EC2NodeClass.KindName, "broken",
            """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"broken"},"spec":{"amiSelectorTerms":[{"alias":"al2023@latest"}]}}"""));
        var otherKind = await aws.Cloud.ResolveNodeClassAsync(Region, new NodeClassDocument("karpenter.azure.com/v1beta1", "AKSNodeClass", "aks", "{}"));

        Assert.False(invalid!.Ready);
        var condition = System.Text.Json.Nodes.JsonNode.Parse(invalid.Json)!["conditions"]![0]!;
        Assert.Equal(("Ready", "False", "InvalidSpec"), (condition["type"]!.GetValue<string>(), condition["status"]!.GetValue<string>(), condition["reason"]!.GetValue<string>()));
        Assert.StartsWith("EC2NodeClass broken", condition["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(otherKind!.Ready);
        Assert.Contains("the aws provider reads karpenter.k8s.aws/v1 EC2NodeClass objects only", otherKind.Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ids_names_and_image_tags_resolve()
    {
        var ec2 = _clients.Ec2(Region);
        var subnet = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets[0].SubnetId;
        var image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"], Filters = [new Filter("architecture", ["arm64"])] })).Images[0];
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [image.ImageId], Tags = [new Tag("team", "ml")] });
        var resolver = new AwsNodeClassResolver(_clients);

        var status = await resolver.ResolveAsync(Region, Document($$"""{"id":"{{subnet}}"}""", """{"name":"default"}""", amis: """[{"tags":{"team":"ml"}}]""", extra: "\"amiFamily\":\"AL2023\","));

        Assert.True(status.IsReady, string.Join("; ", status.Problems));
        Assert.Equal(subnet, Assert.Single(status.Subnets).Id);
        Assert.Equal("default", Assert.Single(status.SecurityGroups).Name);
        Assert.Equal(new ResolvedAmi(image.ImageId, image.Name, "arm64"), Assert.Single(status.Amis));
    }

    [Fact]
    public async Task When_nothing_matches_the_conditions_say_what_and_a_launch_is_refused()
    {
        var resolver = new AwsNodeClassResolver(_clients);
        var document = Document("""{"tags":{"karpenter.sh/discovery":"nowhere"}}""", """{"id":"sg-0000000000000000"}""", amis: """[{"name":"no-such-image-*"}]""", extra: "\"amiFamily\":\"AL2023\",");

        var status = await resolver.ResolveAsync(Region, document);

        Assert.False(status.IsReady);
        var conditions = status.Conditions.ToDictionary(c => c.Type);
        Assert.Equal(("SubnetsNotFound", false), (conditions[EC2NodeClassStatus.SubnetsReady].Reason, conditions[EC2NodeClassStatus.SubnetsReady].Status));
        Assert.Equal("SecurityGroupsNotFound", conditions[EC2NodeClassStatus.SecurityGroupsReady].Reason);
        Assert.Equal("AMINotFound", conditions[EC2NodeClassStatus.AmisReady].Reason);
        Assert.Contains("spec.subnetSelectorTerms", conditions[EC2NodeClassStatus.Ready].Message, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => resolver.PrepareLaunchAsync(Request(document)));
        Assert.Equal(CloudErrorCode.InvalidRequest, error.Code);
        Assert.Contains("EC2NodeClass default of NodePool general is not ready", error.Message, StringComparison.Ordinal);
        Assert.Contains("no image matches spec.amiSelectorTerms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_node_class_is_a_false_ready_condition_and_an_invalid_request()
    {
        var resolver = new AwsNodeClassResolver(_clients);
        var document = Document("""{}""", """{"name":"default"}""");

        var status = await resolver.ResolveAsync(Region, document);

        var ready = Assert.Single(status.Conditions);
        Assert.Equal(("InvalidSpec", false), (ready.Reason, ready.Status));
        Assert.Contains("spec.subnetSelectorTerms[0]: a term needs tags or id", ready.Message, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => resolver.PrepareLaunchAsync(Request(document)));
        Assert.Equal(CloudErrorCode.InvalidRequest, error.Code);
    }

    [Fact]
    public async Task A_launch_uses_one_subnet_per_zone_and_a_template_holding_the_node_class()
    {
        var ec2 = _clients.Ec2(Region);
        var defaults = (await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets;
        var zoneA = defaults.Single(s => s.AvailabilityZone == "us-east-1a");
        // A second, smaller subnet in the same zone: the default one (more free addresses) is picked.
        var small = (await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = zoneA.VpcId, CidrBlock = "172.31.96.0/28", AvailabilityZone = "us-east-1a" })).Subnet.SubnetId;
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [zoneA.SubnetId, small], Tags = [new Tag("karpenter.sh/discovery", "demo")] });
        var resolver = new AwsNodeClassResolver(_clients);

        var launch = await resolver.PrepareLaunchAsync(Request(Document("""{"tags":{"karpenter.sh/discovery":"demo"}}""", """{"name":"default"}""", extra: "\"userData\":\"echo hi\",\"tags\":{\"team\":\"data\"},")));

        Assert.Equal(zoneA.SubnetId, Assert.Single(launch.Subnets).Id);
        Assert.Equal("default", launch.NodeClass);
        Assert.Equal("data", launch.Tags!["team"]);
        var name = launch.LaunchTemplateByArchitecture["x86_64"];
        Assert.Matches("^karpo/demo/[0-9a-f]{16}/x86_64$", name);
        var template = Assert.Single((await ec2.DescribeLaunchTemplatesAsync(new DescribeLaunchTemplatesRequest { LaunchTemplateNames = [name] })).LaunchTemplates);
        Assert.Contains(template.Tags, t => t.Key == AwsTags.NodeClass && t.Value == "default");
        var data = (await ec2.DescribeLaunchTemplateVersionsAsync(new DescribeLaunchTemplateVersionsRequest { LaunchTemplateId = template.LaunchTemplateId })).LaunchTemplateVersions[0].LaunchTemplateData;
        Assert.Equal(launch.Status!.Amis.Single(a => a.Architecture == "x86_64").Id, data.ImageId);
        Assert.Equal("echo hi", Encoding.UTF8.GetString(Convert.FromBase64String(data.UserData)));
        Assert.Equal("KarpenterNodeRole-demo", data.IamInstanceProfile.Name);
        var root = Assert.Single(data.BlockDeviceMappings);
        Assert.Equal(("/dev/xvda", 20, "gp3", true), (root.DeviceName, root.Ebs.VolumeSize, root.Ebs.VolumeType.Value, root.Ebs.Encrypted));
        Assert.Equal(("required", 1), (data.MetadataOptions.HttpTokens.Value, data.MetadataOptions.HttpPutResponseHopLimit));
    }

    [Fact]
    public async Task The_same_configuration_reuses_its_template_and_a_changed_one_gets_a_new_template()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var resolver = new AwsNodeClassResolver(_clients, time);
        var ec2 = _clients.Ec2(Region);
        var document = Document("""{"tags":{"aws:cloudformation:stack-name":"*"}}""", """{"name":"default"}""");
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [(await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets[0].SubnetId], Tags = [new Tag("aws:cloudformation:stack-name", "x")] });

        var first = await resolver.PrepareLaunchAsync(Request(document));
        var again = await resolver.PrepareLaunchAsync(Request(document));
        var changed = await resolver.PrepareLaunchAsync(Request(Document("""{"tags":{"aws:cloudformation:stack-name":"*"}}""", """{"name":"default"}""", extra: "\"metadataOptions\":{\"httpPutResponseHopLimit\":2},")));

        Assert.Equal(first.LaunchTemplateByArchitecture, again.LaunchTemplateByArchitecture);
        Assert.NotEqual(first.LaunchTemplateByArchitecture["x86_64"], changed.LaunchTemplateByArchitecture["x86_64"]);
        var templates = (await ec2.DescribeLaunchTemplatesAsync(new DescribeLaunchTemplatesRequest())).LaunchTemplates.Select(t => t.LaunchTemplateName).ToList();
        Assert.Equal(4, templates.Count);
        Assert.Equal(templates.Count, templates.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task A_resolved_status_is_reused_briefly_then_resolved_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var resolver = new AwsNodeClassResolver(_clients, time);
        var ec2 = _clients.Ec2(Region);
        var document = Document("""{"tags":{"karpenter.sh/discovery":"demo"}}""", """{"name":"default"}""");
        Assert.False((await resolver.ResolveAsync(Region, document)).IsReady);
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [(await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest())).Subnets[0].SubnetId], Tags = [new Tag("karpenter.sh/discovery", "demo")] });

        var cached = await resolver.ResolveAsync(Region, document);
        time.Advance(AwsNodeClassResolver.CacheFor);
        var fresh = await resolver.ResolveAsync(Region, document);

        Assert.False(cached.IsReady);
        Assert.True(fresh.IsReady);
    }

    [Fact]
    public async Task Without_a_node_class_the_default_vpc_is_used()
    {
        var resolver = new AwsNodeClassResolver(_clients);

        var launch = await resolver.PrepareLaunchAsync(Request(null));

        Assert.Equal(6, launch.Subnets.Count);
        Assert.Null(launch.NodeClass);
        Assert.Equal("karpo/demo/default/x86_64", launch.LaunchTemplateByArchitecture["x86_64"]);
    }

    private static LaunchRequest Request(NodeClassDocument? document) =>
        new(Region, "123456789012", "demo", "general-abc12", "general", [], new Dictionary<string, string>(), "token") { NodeClass = document };

    private static NodeClassDocument Document(string subnetTerm, string groupTerm, string amis = """[{"alias":"al2023@latest"}]""", string extra = "") =>
        new(EC2NodeClass.ApiVersion, EC2NodeClass.KindName, "default",
            """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"default"},"spec":{""" + extra
            + "\"role\":\"KarpenterNodeRole-demo\",\"amiSelectorTerms\":" + amis
            + ",\"subnetSelectorTerms\":[" + subnetTerm + "],\"securityGroupSelectorTerms\":[" + groupTerm + "]}}");
}

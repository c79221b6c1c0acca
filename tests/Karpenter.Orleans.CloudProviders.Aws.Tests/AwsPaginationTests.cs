using Karpenter.Orleans.CloudProviders.Aws.InstanceTypes;
using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.CloudProviders.Aws.Tests.InstanceTypes;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>
/// Every describe loop reads every page: the injected pages (<see cref="Ec2Pages"/>) give the same answer as one
/// whole response would, and each call follows the tokens to the last page.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class AwsPaginationTests(MotoServer moto) : IAsyncLifetime
{
    private const string Region = "us-east-1";

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Key(Scheduling.Model.InstanceType t) =>
        t.Name + ":" + string.Join(",", t.Offerings.Select(o => $"{o.Zone}/{o.CapacityType}/{o.Price}"));

    [Fact]
    public async Task The_catalog_reads_every_page_of_types_offerings_and_spot_prices()
    {
        var options = moto.Options(Region);
        var whole = new Ec2FaultHandler();
        var paged = new Ec2FaultHandler();
        paged.Pages.Paginate("DescribeInstanceTypes", 100);
        paged.Pages.Paginate("DescribeInstanceTypeOfferings", 1000);
        paged.Pages.Paginate("DescribeSpotPriceHistory", 1000);
        using var wholeClients = new AwsClientFactory(options, MotoServer.Credentials, whole.Handler);
        using var pagedClients = new AwsClientFactory(options, MotoServer.Credentials, paged.Handler);

        var expected = await new AwsInstanceTypeProvider(wholeClients, options, TimeProvider.System).GetAsync(Region);
        var catalog = await new AwsInstanceTypeProvider(pagedClients, options, TimeProvider.System).GetAsync(Region);

        // moto has 1,246 hvm x86_64/arm64 types, 5,678 offerings and one spot record per offering: many pages each.
        Assert.True(paged.Pages.Served("DescribeInstanceTypes") >= 12, $"{paged.Pages.Served("DescribeInstanceTypes")} type pages");
        Assert.True(paged.Pages.Served("DescribeInstanceTypeOfferings") >= 5, $"{paged.Pages.Served("DescribeInstanceTypeOfferings")} offering pages");
        Assert.True(paged.Pages.Served("DescribeSpotPriceHistory") >= 5, $"{paged.Pages.Served("DescribeSpotPriceHistory")} spot pages");
        Assert.Equal(1, whole.Calls("DescribeInstanceTypes"));
        Assert.Equal(expected.InstanceTypes.Count, catalog.InstanceTypes.Count);
        Assert.Equal(expected.Zones, catalog.Zones);
        Assert.Equal(expected.InstanceTypes.Select(Key), catalog.InstanceTypes.Select(Key));
    }

    [Fact]
    public async Task Listing_a_clusters_instances_reads_every_page()
    {
        using var aws = new AwsLaunchHarness(moto);
        var launched = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var result = await aws.Instances.LaunchAsync(AwsLaunchHarness.Request("shop", nodeClaim: $"claim-{i}", offerings: [AwsLaunchHarness.OnDemand("m5.large", "us-east-1a")]));
            launched.Add(result.Instance!.Id);
        }

        aws.Faults.Pages.Paginate("DescribeInstances", 1);
        var listed = await aws.Instances.ListAsync(Region, "shop");

        Assert.Equal(launched.Order(StringComparer.Ordinal), listed.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(3, aws.Faults.Pages.Served("DescribeInstances"));
    }

    [Fact]
    public async Task A_launch_finds_its_earlier_instance_on_a_later_page()
    {
        using var aws = new AwsLaunchHarness(moto);
        var request = AwsLaunchHarness.Request("shop", token: "shop/claim-1", offerings: [AwsLaunchHarness.OnDemand("m5.large", "us-east-1a")]);
        var first = await aws.Instances.LaunchAsync(request);

        // An empty first page with a token, as EC2 answers filtered calls: the instance is on the second.
        aws.Faults.Pages.Paginate("DescribeInstances", 1, emptyFirst: true);
        var again = await aws.Instances.LaunchAsync(request);

        Assert.Equal(first.Instance!.Id, again.Instance!.Id);
        Assert.Equal(1, aws.Faults.Calls("CreateFleet"));
        Assert.Equal(2, aws.Faults.Pages.Served("DescribeInstances"));
    }

    [Fact]
    public async Task Node_class_resolution_reads_every_page_of_subnets_and_images()
    {
        using (var plain = new AwsClientFactory(moto.Options(Region), MotoServer.Credentials))
        {
            var ec2 = plain.Ec2(Region);
            var ids = (await ec2.DescribeSubnetsAsync(new Amazon.EC2.Model.DescribeSubnetsRequest())).Subnets.Select(s => s.SubnetId).ToList();
            await ec2.CreateTagsAsync(new Amazon.EC2.Model.CreateTagsRequest { Resources = ids, Tags = [new Amazon.EC2.Model.Tag("karpenter.sh/discovery", "shop")] });
        }

        var handler = new Ec2FaultHandler();
        handler.Pages.Paginate("DescribeSubnets", 2);
        handler.Pages.Paginate("DescribeImages", 1);
        using var clients = new AwsClientFactory(moto.Options(Region), MotoServer.Credentials, handler.Handler);
        var resolver = new AwsNodeClassResolver(clients);
        var document = new NodeClassDocument(EC2NodeClass.ApiVersion, EC2NodeClass.KindName, "default",
            """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"default"},"spec":{"role":"KarpoNodeRole","amiSelectorTerms":[{"alias":"al2023@latest"}],"subnetSelectorTerms":[{"tags":{"karpenter.sh/discovery":"shop"}}],"securityGroupSelectorTerms":[{"name":"default"}]}}""");

        var status = await resolver.ResolveAsync(Region, document);

        // moto's default VPC has one subnet in each of the six zones.
        Assert.True(status.IsReady, string.Join("; ", status.Problems));
        Assert.Equal(6, status.Subnets.Count);
        Assert.Equal(3, handler.Pages.Served("DescribeSubnets"));
        Assert.Equal(["arm64", "x86_64"], status.Amis.Select(a => a.Architecture));
        Assert.True(handler.Pages.Served("DescribeImages") >= 2, $"{handler.Pages.Served("DescribeImages")} image pages");
    }
}

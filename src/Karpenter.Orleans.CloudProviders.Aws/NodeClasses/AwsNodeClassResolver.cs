using Amazon.EC2;
using Amazon.EC2.Model;

namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// Turns a launch's node class into subnets and launch templates. Without an <c>EC2NodeClass</c> it uses
/// the region's default VPC: its default subnet of each zone, its <c>default</c> security group and the
/// newest Amazon-owned AL2023 image of each architecture.
/// </summary>
public sealed class AwsNodeClassResolver(AwsClientFactory clients)
{
    private static readonly string[] Architectures = ["x86_64", "arm64"];

    public async Task<AwsLaunchConfiguration> PrepareLaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ec2 = clients.Ec2(request.Region);
        var subnets = await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest
        {
            Filters = [new Filter("default-for-az", ["true"])],
        }, cancellationToken).ConfigureAwait(false);
        var groups = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = [new Filter("group-name", ["default"])],
        }, cancellationToken).ConfigureAwait(false);
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var architecture in Architectures)
        {
            var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest
            {
                Owners = ["amazon"],
                Filters = [new Filter("architecture", [architecture]), new Filter("name", ["al2023-ami-*"])],
            }, cancellationToken).ConfigureAwait(false);
            var image = (images.Images ?? []).OrderByDescending(i => i.CreationDate, StringComparer.Ordinal).FirstOrDefault()
                ?? (await ec2.DescribeImagesAsync(new DescribeImagesRequest
                {
                    Owners = ["amazon"],
                    Filters = [new Filter("architecture", [architecture])],
                }, cancellationToken).ConfigureAwait(false)).Images?.OrderByDescending(i => i.CreationDate, StringComparer.Ordinal).FirstOrDefault();
            if (image is null)
            {
                continue;
            }

            var name = $"karpo/{request.ClusterId}/default/{architecture}";
            await EnsureLaunchTemplateAsync(ec2, name, image.ImageId, [.. (groups.SecurityGroups ?? []).Select(g => g.GroupId)], request.ClusterId, cancellationToken).ConfigureAwait(false);
            templates[architecture] = name;
        }

        return new AwsLaunchConfiguration(
            [.. (subnets.Subnets ?? []).Select(s => new AwsSubnet(s.SubnetId, s.AvailabilityZone, s.AvailabilityZoneId, s.AvailableIpAddressCount ?? 0))],
            templates,
            null);
    }

    private static async Task EnsureLaunchTemplateAsync(IAmazonEC2 ec2, string name, string imageId, List<string> securityGroups, string clusterId, CancellationToken cancellationToken)
    {
        try
        {
            await ec2.DescribeLaunchTemplatesAsync(new DescribeLaunchTemplatesRequest { LaunchTemplateNames = [name] }, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidLaunchTemplateName.NotFoundException")
        {
            // Not made yet: create it below.
        }

        try
        {
            await ec2.CreateLaunchTemplateAsync(new CreateLaunchTemplateRequest
            {
                LaunchTemplateName = name,
                LaunchTemplateData = new RequestLaunchTemplateData
                {
                    ImageId = imageId,
                    SecurityGroupIds = securityGroups,
                    MetadataOptions = new LaunchTemplateInstanceMetadataOptionsRequest { HttpTokens = LaunchTemplateHttpTokensState.Required, HttpPutResponseHopLimit = 1 },
                },
                TagSpecifications =
                [
                    new TagSpecification
                    {
                        ResourceType = ResourceType.LaunchTemplate,
                        Tags = [new Tag(AwsTags.EksClusterName, clusterId)],
                    },
                ],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidLaunchTemplateName.AlreadyExistsException")
        {
            // Another launch made it first; it is the same template.
        }
    }
}

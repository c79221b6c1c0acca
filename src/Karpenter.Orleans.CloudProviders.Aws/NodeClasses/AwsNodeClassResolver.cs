using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// Turns a launch's node class into subnets and launch templates. With an <c>EC2NodeClass</c> its selector
/// terms are resolved through DescribeSubnets, DescribeSecurityGroups and DescribeImages (cached briefly per
/// region and node class content); without one it uses the region's default VPC: its default subnet of each
/// zone, its <c>default</c> security group and the newest Amazon-owned AL2023 image of each architecture.
/// </summary>
public sealed class AwsNodeClassResolver(AwsClientFactory clients, TimeProvider? time = null)
{
    /// <summary>How long a resolved status is reused; Karpenter re-resolves node classes on about this period.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    private static readonly string[] Architectures = ["x86_64", "arm64"];

    // moto serves no SSM parameters, so an alias is resolved by the image-name pattern of the family's
    // Amazon images (Karpenter reads /aws/service/eks/optimized-ami/... from SSM instead).
    private static readonly Dictionary<string, string> AliasNamePatterns = new(StringComparer.Ordinal)
    {
        ["al2023"] = "al2023-ami-2023.*",
        ["al2"] = "amzn2-ami-hvm-*",
        ["bottlerocket"] = "bottlerocket-aws-k8s-*",
    };

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<(string Region, string Content), (DateTimeOffset Until, EC2NodeClassStatus Status)> _cache = new();

    public async Task<AwsLaunchConfiguration> PrepareLaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.NodeClass is { } document)
        {
            return await PrepareNodeClassLaunchAsync(request, document, cancellationToken).ConfigureAwait(false);
        }

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
            await EnsureLaunchTemplateAsync(ec2, name, new RequestLaunchTemplateData
            {
                ImageId = image.ImageId,
                SecurityGroupIds = [.. (groups.SecurityGroups ?? []).Select(g => g.GroupId)],
                MetadataOptions = new LaunchTemplateInstanceMetadataOptionsRequest { HttpTokens = LaunchTemplateHttpTokensState.Required, HttpPutResponseHopLimit = 1 },
            }, [new Tag(AwsTags.EksClusterName, request.ClusterId)], cancellationToken).ConfigureAwait(false);
            templates[architecture] = name;
        }

        return new AwsLaunchConfiguration(
            [.. (subnets.Subnets ?? []).Select(s => new AwsSubnet(s.SubnetId, s.AvailabilityZone, s.AvailabilityZoneId, s.AvailableIpAddressCount ?? 0))],
            templates,
            null);
    }

    /// <summary>
    /// The status of <paramref name="document"/> in <paramref name="region"/>: what its terms matched and its
    /// conditions. An invalid spec is not an exception here: it is a false Ready condition saying why.
    /// </summary>
    public async Task<EC2NodeClassStatus> ResolveAsync(string region, NodeClassDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentNullException.ThrowIfNull(document);
        var key = (region, document.Json);
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Status;
        }

        EC2NodeClass nodeClass;
        try
        {
            nodeClass = EC2NodeClassParser.Parse(document);
        }
        catch (ManifestException e)
        {
            return EC2NodeClassStatus.Invalid(e.Message);
        }

        var status = await ResolveAsync(region, nodeClass, cancellationToken).ConfigureAwait(false);
        _cache[key] = (now + CacheFor, status);
        return status;
    }

    /// <summary>Resolves a parsed node class (uncached).</summary>
    public async Task<EC2NodeClassStatus> ResolveAsync(string region, EC2NodeClass nodeClass, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodeClass);
        var ec2 = clients.Ec2(region);
        var subnets = new Dictionary<string, AwsSubnet>(StringComparer.Ordinal);
        foreach (var term in nodeClass.SubnetSelectorTerms)
        {
            var filters = TagFilters(term.Tags);
            if (term.Id is not null)
            {
                filters.Add(new Filter("subnet-id", [term.Id]));
            }

            var found = await Describe(next => ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = filters, NextToken = next }, cancellationToken), r => r.Subnets, r => r.NextToken).ConfigureAwait(false);
            foreach (var s in found)
            {
                subnets[s.SubnetId] = new AwsSubnet(s.SubnetId, s.AvailabilityZone, s.AvailabilityZoneId, s.AvailableIpAddressCount ?? 0);
            }
        }

        var groups = new Dictionary<string, ResolvedSecurityGroup>(StringComparer.Ordinal);
        foreach (var term in nodeClass.SecurityGroupSelectorTerms)
        {
            var filters = TagFilters(term.Tags);
            if (term.Id is not null)
            {
                filters.Add(new Filter("group-id", [term.Id]));
            }

            if (term.Name is not null)
            {
                filters.Add(new Filter("group-name", [term.Name]));
            }

            var found = await Describe(next => ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = filters, NextToken = next }, cancellationToken), r => r.SecurityGroups, r => r.NextToken).ConfigureAwait(false);
            foreach (var g in found)
            {
                groups[g.GroupId] = new ResolvedSecurityGroup(g.GroupId, g.GroupName);
            }
        }

        var (amis, amiProblem) = await ResolveImagesAsync(ec2, nodeClass, cancellationToken).ConfigureAwait(false);
        var conditions = new List<NodeClassCondition>
        {
            Condition(EC2NodeClassStatus.SubnetsReady, subnets.Count > 0, "SubnetsNotFound", "no subnet matches spec.subnetSelectorTerms"),
            Condition(EC2NodeClassStatus.SecurityGroupsReady, groups.Count > 0, "SecurityGroupsNotFound", "no security group matches spec.securityGroupSelectorTerms"),
            Condition(EC2NodeClassStatus.AmisReady, amis.Count > 0, "AMINotFound", amiProblem ?? "no image matches spec.amiSelectorTerms"),
        };
        var problems = conditions.Where(c => !c.Status).Select(c => c.Message).ToList();
        conditions.Insert(0, Condition(EC2NodeClassStatus.Ready, problems.Count == 0, "NotReady", string.Join("; ", problems)));
        return new EC2NodeClassStatus(
            [.. subnets.Values.OrderBy(s => s.Zone, StringComparer.Ordinal).ThenBy(s => s.Id, StringComparer.Ordinal)],
            [.. groups.Values.OrderBy(g => g.Id, StringComparer.Ordinal)],
            amis,
            nodeClass.InstanceProfile ?? nodeClass.Role,
            nodeClass.Role,
            conditions);
    }

    private async Task<AwsLaunchConfiguration> PrepareNodeClassLaunchAsync(LaunchRequest request, NodeClassDocument document, CancellationToken cancellationToken)
    {
        EC2NodeClass nodeClass;
        try
        {
            nodeClass = EC2NodeClassParser.Parse(document);
        }
        catch (ManifestException e)
        {
            throw new CloudProviderException(CloudErrorCode.InvalidRequest, $"NodePool {request.NodePool}: {e.Message}", e);
        }

        var status = await ResolveAsync(request.Region, document, cancellationToken).ConfigureAwait(false);
        if (!status.IsReady)
        {
            throw new CloudProviderException(CloudErrorCode.InvalidRequest,
                $"EC2NodeClass {nodeClass.Name} of NodePool {request.NodePool} is not ready in {request.Region}: {string.Join("; ", status.Problems)}");
        }

        var ec2 = clients.Ec2(request.Region);
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var ami in status.Amis)
        {
            var data = LaunchTemplateData(nodeClass, status, ami);
            var name = $"karpo/{request.ClusterId}/{Hash(nodeClass.Name, data)}/{ami.Architecture}";
            Tag[] tags = [new(AwsTags.EksClusterName, request.ClusterId), new(AwsTags.NodeClass, nodeClass.Name), .. nodeClass.Tags.Select(t => new Tag(t.Key, t.Value))];
            await EnsureLaunchTemplateAsync(ec2, name, data, tags, cancellationToken).ConfigureAwait(false);
            templates[ami.Architecture] = name;
        }

        // One subnet per zone, the one with the most free addresses, as Karpenter picks.
        var subnets = status.Subnets
            .GroupBy(s => s.Zone, StringComparer.Ordinal)
            .Select(z => z.OrderByDescending(s => s.AvailableIpAddressCount).ThenBy(s => s.Id, StringComparer.Ordinal).First())
            .OrderBy(s => s.Zone, StringComparer.Ordinal)
            .ToList();
        return new AwsLaunchConfiguration(subnets, templates, nodeClass.Name, nodeClass.Tags, status);
    }

    /// <summary>What the launch template of one architecture holds; a change to any of it makes a new template.</summary>
    internal static RequestLaunchTemplateData LaunchTemplateData(EC2NodeClass nodeClass, EC2NodeClassStatus status, ResolvedAmi ami)
    {
        var data = new RequestLaunchTemplateData
        {
            ImageId = ami.Id,
            SecurityGroupIds = [.. status.SecurityGroups.Select(g => g.Id)],
            BlockDeviceMappings = [.. EffectiveBlockDevices(nodeClass).Select(ToRequest)],
            MetadataOptions = new LaunchTemplateInstanceMetadataOptionsRequest
            {
                HttpEndpoint = new LaunchTemplateInstanceMetadataEndpointState(nodeClass.MetadataOptions.HttpEndpoint),
                HttpProtocolIpv6 = new LaunchTemplateInstanceMetadataProtocolIpv6(nodeClass.MetadataOptions.HttpProtocolIpv6),
                HttpPutResponseHopLimit = nodeClass.MetadataOptions.HttpPutResponseHopLimit,
                HttpTokens = new LaunchTemplateHttpTokensState(nodeClass.MetadataOptions.HttpTokens),
            },
        };
        if (status.InstanceProfile is not null)
        {
            // With a role, Karpenter creates an instance profile for it; this provider makes no IAM calls and
            // names the instance profile after the role (what the IAM console creates for an EC2 role).
            data.IamInstanceProfile = new LaunchTemplateIamInstanceProfileSpecificationRequest { Name = status.InstanceProfile };
        }

        if (nodeClass.UserData is not null)
        {
            data.UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes(nodeClass.UserData));
        }

        if (nodeClass.Tags.Count > 0)
        {
            data.TagSpecifications =
            [
                new LaunchTemplateTagSpecificationRequest { ResourceType = ResourceType.Instance, Tags = [.. nodeClass.Tags.Select(t => new Tag(t.Key, t.Value))] },
                new LaunchTemplateTagSpecificationRequest { ResourceType = ResourceType.Volume, Tags = [.. nodeClass.Tags.Select(t => new Tag(t.Key, t.Value))] },
            ];
        }

        return data;
    }

    /// <summary>The node class's block devices, or Karpenter's default root volume for its family (gp3, 20 GiB, encrypted).</summary>
    internal static IReadOnlyList<BlockDeviceMapping> EffectiveBlockDevices(EC2NodeClass nodeClass)
    {
        if (nodeClass.BlockDeviceMappings.Count > 0)
        {
            return nodeClass.BlockDeviceMappings;
        }

        var root = new EbsVolume(20, "gp3", true, true, null, null, null, null);
        return nodeClass.AmiFamily == "Bottlerocket"
            ? [new BlockDeviceMapping("/dev/xvda", root with { VolumeSizeGiB = 4 }, false), new BlockDeviceMapping("/dev/xvdb", root, true)]
            : [new BlockDeviceMapping("/dev/xvda", root, true)];
    }

    private static LaunchTemplateBlockDeviceMappingRequest ToRequest(BlockDeviceMapping device)
    {
        var request = new LaunchTemplateBlockDeviceMappingRequest { DeviceName = device.DeviceName };
        if (device.Ebs is { } e)
        {
            request.Ebs = new LaunchTemplateEbsBlockDeviceRequest
            {
                VolumeSize = e.VolumeSizeGiB,
                VolumeType = e.VolumeType is null ? null : new VolumeType(e.VolumeType),
                Encrypted = e.Encrypted,
                DeleteOnTermination = e.DeleteOnTermination,
                Iops = e.Iops,
                Throughput = e.Throughput,
                KmsKeyId = e.KmsKeyId,
                SnapshotId = e.SnapshotId,
            };
        }

        return request;
    }

    // The serialized request is a stable description of every launch template input (same order each time).
    private static string Hash(string nodeClass, RequestLaunchTemplateData data)
    {
        var text = JsonSerializer.Serialize(new
        {
            nodeClass,
            data.ImageId,
            data.SecurityGroupIds,
            Profile = data.IamInstanceProfile?.Name,
            data.UserData,
            Devices = data.BlockDeviceMappings.Select(d => new { d.DeviceName, d.Ebs?.VolumeSize, Type = d.Ebs?.VolumeType?.Value, d.Ebs?.Encrypted, d.Ebs?.DeleteOnTermination, d.Ebs?.Iops, d.Ebs?.Throughput, d.Ebs?.KmsKeyId, d.Ebs?.SnapshotId }),
            Metadata = new { Endpoint = data.MetadataOptions.HttpEndpoint.Value, Ipv6 = data.MetadataOptions.HttpProtocolIpv6.Value, data.MetadataOptions.HttpPutResponseHopLimit, Tokens = data.MetadataOptions.HttpTokens.Value },
            Tags = data.TagSpecifications?.FirstOrDefault()?.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"),
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    private static async Task<(List<ResolvedAmi> Amis, string? Problem)> ResolveImagesAsync(IAmazonEC2 ec2, EC2NodeClass nodeClass, CancellationToken cancellationToken)
    {
        var images = new List<Image>();
        foreach (var term in nodeClass.AmiSelectorTerms)
        {
            if (term.Alias is not null)
            {
                var family = term.Alias.Split('@')[0];
                if (!AliasNamePatterns.TryGetValue(family, out var pattern))
                {
                    return ([], $"the alias {term.Alias} cannot be resolved here (supported families: {string.Join(", ", AliasNamePatterns.Keys)})");
                }

                images.AddRange(await Describe(next => ec2.DescribeImagesAsync(new DescribeImagesRequest
                {
                    Owners = ["amazon"],
                    Filters = [new Filter("name", [pattern])],
                    NextToken = next,
                }, cancellationToken), r => r.Images, r => r.NextToken).ConfigureAwait(false));
                continue;
            }

            var filters = TagFilters(term.Tags);
            if (term.Id is not null)
            {
                filters.Add(new Filter("image-id", [term.Id]));
            }

            if (term.Name is not null)
            {
                filters.Add(new Filter("name", [term.Name]));
            }

            // Karpenter's default owners when a term names none: the account itself and Amazon.
            List<string>? owners = term.Owner is not null ? [term.Owner] : term.Id is null ? ["self", "amazon"] : null;
            images.AddRange(await Describe(next => ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = owners, Filters = filters, NextToken = next }, cancellationToken), r => r.Images, r => r.NextToken).ConfigureAwait(false));
        }

        // The newest image of each architecture, as Karpenter launches (name breaks ties so the choice is stable).
        var amis = images
            .Where(i => i.Architecture is not null && Architectures.Contains(i.Architecture.Value))
            .GroupBy(i => i.Architecture.Value, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(i => i.CreationDate ?? "", StringComparer.Ordinal).ThenByDescending(i => i.Name ?? "", StringComparer.Ordinal).First())
            .Select(i => new ResolvedAmi(i.ImageId, i.Name ?? "", i.Architecture.Value))
            .OrderBy(a => a.Architecture, StringComparer.Ordinal)
            .ToList();
        return (amis, null);
    }

    private static List<Filter> TagFilters(IReadOnlyDictionary<string, string> tags) =>
        [.. tags.Select(t => t.Value == "*" ? new Filter("tag-key", [t.Key]) : new Filter($"tag:{t.Key}", [t.Value]))];

    // An id that does not exist is "nothing matched" for a selector, not a failure of the resolution.
    /// <summary>Every page of a describe call (EC2 pages its answers; a missing token ends them).</summary>
    private static async Task<List<T>> Describe<TResponse, T>(Func<string?, Task<TResponse>> call, Func<TResponse, List<T>?> items, Func<TResponse, string?> nextToken)
    {
        try
        {
            var all = new List<T>();
            string? next = null;
            do
            {
                var page = await call(next).ConfigureAwait(false);
                all.AddRange(items(page) ?? []);
                next = nextToken(page);
            }
            while (!string.IsNullOrEmpty(next));

            return all;
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode is not null && (e.ErrorCode.EndsWith(".NotFound", StringComparison.Ordinal) || e.ErrorCode.EndsWith(".Malformed", StringComparison.Ordinal)))
        {
            return [];
        }
    }

    private static NodeClassCondition Condition(string type, bool ok, string reason, string message) =>
        ok ? new NodeClassCondition(type, true, type, "") : new NodeClassCondition(type, false, reason, message);

    private static async Task EnsureLaunchTemplateAsync(IAmazonEC2 ec2, string name, RequestLaunchTemplateData data, Tag[] tags, CancellationToken cancellationToken)
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
                LaunchTemplateData = data,
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.LaunchTemplate, Tags = [.. tags] }],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidLaunchTemplateName.AlreadyExistsException")
        {
            // Another launch made it first; the name is the hash of its content, so it is the same template.
        }
    }
}

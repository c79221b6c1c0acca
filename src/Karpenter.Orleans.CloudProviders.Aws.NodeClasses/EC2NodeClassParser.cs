using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// Reads and validates an <c>EC2NodeClass</c> from its JSON (what a cluster sends) or from a manifest's
/// tree (the AWS provider's <c>EC2NodeClassManifests</c>, <c>karpo simulate</c>), with the CRD's rules. Bad input throws a
/// <see cref="ManifestException"/> naming the file, the object and the field, as NodePool errors do.
/// </summary>
public sealed partial class EC2NodeClassParser
{
    private static readonly HashSet<string> AliasFamilies = new(StringComparer.Ordinal) { "al2", "al2023", "bottlerocket", "windows2019", "windows2022", "windows2025" };
    private static readonly HashSet<string> AmiFamilies = new(StringComparer.Ordinal) { "AL2", "AL2023", "Bottlerocket", "Windows2019", "Windows2022", "Windows2025", "Custom" };
    private static readonly HashSet<string> VolumeTypes = new(StringComparer.Ordinal) { "standard", "io1", "io2", "gp2", "sc1", "st1", "gp3" };
    private static readonly HashSet<string> EnabledDisabled = new(StringComparer.Ordinal) { "enabled", "disabled" };
    private static readonly HashSet<string> Tokens = new(StringComparer.Ordinal) { "required", "optional" };

    // Fields Karpenter has that this provider does not model: accepted so a real manifest reads, not acted on.
    private static readonly HashSet<string> Unmodelled = new(StringComparer.Ordinal)
    {
        "instanceStorePolicy", "networkInterfaces", "detailedMonitoring", "associatePublicIPAddress", "capacityReservationSelectorTerms",
        "placementGroupSelector", "context", "cpuOptions",
    };

    // The tags Karpenter puts on what it launches (the AWS provider's AwsTags): a node class may not set them.
    private static readonly HashSet<string> KarpenterTags = new(StringComparer.Ordinal)
    {
        "karpenter.sh/nodepool", "karpenter.sh/nodeclaim", "karpenter.k8s.aws/ec2nodeclass", "eks:eks-cluster-name",
    };

    private static readonly string[] SpecFields =
    [
        "subnetSelectorTerms", "securityGroupSelectorTerms", "amiSelectorTerms", "amiFamily", "role", "instanceProfile", "userData",
        "blockDeviceMappings", "metadataOptions", "tags", "kubelet",
    ];

    private readonly string _file;
    private readonly int? _document;
    private readonly int? _item;
    private string? _name;

    private EC2NodeClassParser(string file, int? document, int? item = null)
    {
        _file = file;
        _document = document;
        _item = item;
    }

    /// <summary>
    /// Parses an object's JSON (what a cluster sends); errors name it as "EC2NodeClass &lt;name&gt;" after
    /// <paramref name="name"/>, the name it was sent under.
    /// </summary>
    public static EC2NodeClass ParseJson(string name, string json)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ManifestException($"{EC2NodeClass.KindName} {name}", null, null, $"not JSON: {e.Message}", e);
        }

        return Parse($"{EC2NodeClass.KindName} {name}", null, root);
    }

    /// <summary>Parses one object; <paramref name="file"/> and <paramref name="document"/> say where it came from in errors.</summary>
    public static EC2NodeClass Parse(string file, int? document, JsonNode? root) => new EC2NodeClassParser(file, document).Read(root);

    /// <summary>Parses one object read from a manifest at <paramref name="location"/> (a document, or an item of a <c>kind: List</c>).</summary>
    public static EC2NodeClass Parse(ManifestLocation location, JsonNode? root)
    {
        ArgumentNullException.ThrowIfNull(location);
        return new EC2NodeClassParser(location.File, location.Document, location.Item).Read(root);
    }

    private EC2NodeClass Read(JsonNode? root)
    {
        var top = Obj(root, "");
        _name = (Obj(top["metadata"], "metadata")["name"] as JsonValue)?.ToString();
        if (string.IsNullOrEmpty(_name))
        {
            throw Error("metadata.name", "required");
        }

        var apiVersion = Text(top["apiVersion"], "apiVersion");
        if (apiVersion != EC2NodeClass.ApiVersion)
        {
            throw Error("apiVersion", $"\"{apiVersion}\" is not {EC2NodeClass.ApiVersion}");
        }

        var spec = Obj(top["spec"], "spec");
        foreach (var (key, _) in spec)
        {
            if (!SpecFields.Contains(key) && !Unmodelled.Contains(key))
            {
                throw Error($"spec.{key}", $"unknown field (known: {string.Join(", ", SpecFields)})");
            }
        }

        var subnets = Terms(spec, "subnetSelectorTerms", 30, SubnetTerm);
        var groups = Terms(spec, "securityGroupSelectorTerms", 30, GroupTerm);
        var amis = Terms(spec, "amiSelectorTerms", 30, AmiTerm);
        if (amis.Count > 1 && amis.Any(t => t.Alias is not null))
        {
            throw Error("spec.amiSelectorTerms", "an alias term must be the only term");
        }

        var amiFamily = OptionalText(spec["amiFamily"], "spec.amiFamily");
        var alias = amis.Select(t => t.Alias).FirstOrDefault(a => a is not null);
        if (amiFamily is not null && !AmiFamilies.Contains(amiFamily))
        {
            throw Error("spec.amiFamily", $"\"{amiFamily}\" is not one of {string.Join(", ", AmiFamilies.Order(StringComparer.Ordinal))}");
        }

        if (amiFamily is null && alias is null)
        {
            throw Error("spec.amiFamily", "required when amiSelectorTerms has no alias");
        }

        var role = OptionalText(spec["role"], "spec.role");
        var profile = OptionalText(spec["instanceProfile"], "spec.instanceProfile");
        if ((role is null) == (profile is null))
        {
            throw Error("spec", "exactly one of role or instanceProfile is required");
        }

        var tags = StringMap(spec["tags"], "spec.tags");
        foreach (var key in tags.Keys)
        {
            if (RestrictedTag(key) is { } why)
            {
                throw Error($"spec.tags[{key}]", why);
            }
        }

        var devices = BlockDevices(spec["blockDeviceMappings"]);
        var metadata = Metadata(spec["metadataOptions"]);
        int? maxPods = null;
        var kubeletSettings = KubeletConfiguration.None;
        if (spec["kubelet"] is { } kubelet)
        {
            var k = Obj(kubelet, "spec.kubelet");
            maxPods = OptionalInt(k["maxPods"], "spec.kubelet.maxPods", 0, int.MaxValue);
            kubeletSettings = new KubeletConfiguration(
                maxPods,
                OptionalInt(k["podsPerCore"], "spec.kubelet.podsPerCore", 0, int.MaxValue),
                Reserved(k["kubeReserved"], "spec.kubelet.kubeReserved"),
                Reserved(k["systemReserved"], "spec.kubelet.systemReserved"));
        }

        return new EC2NodeClass(_name, subnets, groups, amis, amiFamily ?? FamilyOf(alias!), role, profile,
            OptionalText(spec["userData"], "spec.userData"), devices, metadata, tags, maxPods, kubeletSettings);
    }

    private static string FamilyOf(string alias) => alias.Split('@')[0] switch
    {
        "al2" => "AL2",
        "al2023" => "AL2023",
        "bottlerocket" => "Bottlerocket",
        var f => string.Concat(char.ToUpperInvariant(f[0]).ToString(), f[1..]),
    };

    private static string? RestrictedTag(string key)
    {
        if (key.StartsWith("kubernetes.io/cluster/", StringComparison.Ordinal))
        {
            return "tag keys under kubernetes.io/cluster/ are set by Karpenter and cannot be set here";
        }

        return KarpenterTags.Contains(key)
            ? $"the tag {key} is set by Karpenter and cannot be set here"
            : null;
    }

    private SubnetSelectorTerm SubnetTerm(JsonObject term, string at)
    {
        Known(term, at, "tags", "id");
        var tags = StringMap(term["tags"], $"{at}.tags");
        var id = OptionalText(term["id"], $"{at}.id");
        if (tags.Count == 0 && id is null)
        {
            throw Error(at, "a term needs tags or id");
        }

        if (id is not null && tags.Count > 0)
        {
            throw Error(at, "id cannot be combined with tags");
        }

        CheckId(id, "subnet-", $"{at}.id");
        return new SubnetSelectorTerm(tags, id);
    }

    private SecurityGroupSelectorTerm GroupTerm(JsonObject term, string at)
    {
        Known(term, at, "tags", "id", "name");
        var tags = StringMap(term["tags"], $"{at}.tags");
        var id = OptionalText(term["id"], $"{at}.id");
        var name = OptionalText(term["name"], $"{at}.name");
        if (tags.Count == 0 && id is null && name is null)
        {
            throw Error(at, "a term needs tags, id or name");
        }

        if (id is not null && (tags.Count > 0 || name is not null))
        {
            throw Error(at, "id cannot be combined with tags or name");
        }

        CheckId(id, "sg-", $"{at}.id");
        return new SecurityGroupSelectorTerm(tags, id, name);
    }

    private AmiSelectorTerm AmiTerm(JsonObject term, string at)
    {
        Known(term, at, "alias", "tags", "id", "name", "owner");
        var alias = OptionalText(term["alias"], $"{at}.alias");
        var tags = StringMap(term["tags"], $"{at}.tags");
        var id = OptionalText(term["id"], $"{at}.id");
        var name = OptionalText(term["name"], $"{at}.name");
        var owner = OptionalText(term["owner"], $"{at}.owner");
        if (alias is not null)
        {
            if (tags.Count > 0 || id is not null || name is not null || owner is not null)
            {
                throw Error(at, "alias cannot be combined with tags, id, name or owner");
            }

            var match = AliasPattern().Match(alias);
            if (!match.Success || !AliasFamilies.Contains(match.Groups[1].Value))
            {
                throw Error($"{at}.alias", $"\"{alias}\" is not family@version with family one of {string.Join(", ", AliasFamilies.Order(StringComparer.Ordinal))} (like al2023@latest)");
            }

            return new AmiSelectorTerm(alias, tags, null, null, null);
        }

        if (tags.Count == 0 && id is null && name is null)
        {
            throw Error(at, "a term needs alias, tags, id or name");
        }

        if (id is not null && (tags.Count > 0 || name is not null || owner is not null))
        {
            throw Error(at, "id cannot be combined with tags, name or owner");
        }

        CheckId(id, "ami-", $"{at}.id");
        return new AmiSelectorTerm(null, tags, id, name, owner);
    }

    private List<BlockDeviceMapping> BlockDevices(JsonNode? node)
    {
        if (node is null)
        {
            return [];
        }

        var list = node as JsonArray ?? throw Error("spec.blockDeviceMappings", "expected a list");
        if (list.Count > 50)
        {
            throw Error("spec.blockDeviceMappings", $"at most 50 entries, found {list.Count}");
        }

        var result = new List<BlockDeviceMapping>();
        for (var i = 0; i < list.Count; i++)
        {
            var at = $"spec.blockDeviceMappings[{i}]";
            var item = Obj(list[i], at);
            Known(item, at, "deviceName", "ebs", "rootVolume");
            var device = OptionalText(item["deviceName"], $"{at}.deviceName") ?? throw Error($"{at}.deviceName", "required");
            EbsVolume? ebs = null;
            if (item["ebs"] is { } ebsNode)
            {
                var e = Obj(ebsNode, $"{at}.ebs");
                Known(e, $"{at}.ebs", "volumeSize", "volumeType", "encrypted", "deleteOnTermination", "iops", "throughput", "kmsKeyID", "snapshotID");
                var type = OptionalText(e["volumeType"], $"{at}.ebs.volumeType");
                if (type is not null && !VolumeTypes.Contains(type))
                {
                    throw Error($"{at}.ebs.volumeType", $"\"{type}\" is not one of {string.Join(", ", VolumeTypes)}");
                }

                ebs = new EbsVolume(
                    VolumeSize(e["volumeSize"], $"{at}.ebs.volumeSize"),
                    type,
                    OptionalBool(e["encrypted"], $"{at}.ebs.encrypted"),
                    OptionalBool(e["deleteOnTermination"], $"{at}.ebs.deleteOnTermination"),
                    OptionalInt(e["iops"], $"{at}.ebs.iops", 0, int.MaxValue),
                    OptionalInt(e["throughput"], $"{at}.ebs.throughput", 125, 2000),
                    OptionalText(e["kmsKeyID"], $"{at}.ebs.kmsKeyID"),
                    OptionalText(e["snapshotID"], $"{at}.ebs.snapshotID"));
            }

            result.Add(new BlockDeviceMapping(device, ebs, OptionalBool(item["rootVolume"], $"{at}.rootVolume") ?? false));
        }

        if (result.Count(d => d.RootVolume) > 1)
        {
            throw Error("spec.blockDeviceMappings", "at most one entry may be the rootVolume");
        }

        return result;
    }

    private int? VolumeSize(JsonNode? node, string at)
    {
        var text = node is null ? null : Scalar(node, at);
        if (text is null)
        {
            return null;
        }

        decimal bytes;
        try
        {
            bytes = new ResourceQuantity(text.Trim()).ToDecimal();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw Error(at, $"\"{text}\" is not a Kubernetes quantity (like 20Gi)");
        }

        const decimal GiB = 1024m * 1024m * 1024m;
        if (bytes < GiB || bytes > 64m * 1024m * GiB)
        {
            throw Error(at, $"\"{text}\" is outside 1Gi to 64Ti");
        }

        return (int)Math.Ceiling(bytes / GiB);
    }

    /// <summary>kubeReserved / systemReserved: cpu, memory, ephemeral-storage (and pid, which holds no pods' room) as quantities.</summary>
    private Dictionary<string, long>? Reserved(JsonNode? node, string at)
    {
        if (node is null)
        {
            return null;
        }

        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in Obj(node, at))
        {
            var field = $"{at}.{key}";
            if (key is not ("cpu" or "memory" or "ephemeral-storage" or "pid"))
            {
                throw Error(field, "only cpu, memory, ephemeral-storage and pid can be reserved");
            }

            var text = value is null ? throw Error(field, "required") : Scalar(value, field);
            decimal amount;
            try
            {
                amount = new ResourceQuantity(text.Trim()).ToDecimal();
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                throw Error(field, $"\"{text}\" is not a Kubernetes quantity (like 100m or 1Gi)");
            }

            if (amount < 0)
            {
                throw Error(field, $"\"{text}\" is negative");
            }

            // cpu is kept in millicores, the rest in whole units (bytes), rounded up so the room is never overstated.
            result[key] = key == "cpu" ? (long)Math.Ceiling(amount * 1000) : (long)Math.Ceiling(amount);
        }

        return result;
    }

    private MetadataOptions Metadata(JsonNode? node)
    {
        var d = MetadataOptions.Default;
        if (node is null)
        {
            return d;
        }

        var m = Obj(node, "spec.metadataOptions");
        Known(m, "spec.metadataOptions", "httpEndpoint", "httpProtocolIPv6", "httpPutResponseHopLimit", "httpTokens");
        return new MetadataOptions(
            OneOf(m["httpEndpoint"], "spec.metadataOptions.httpEndpoint", EnabledDisabled) ?? d.HttpEndpoint,
            OneOf(m["httpProtocolIPv6"], "spec.metadataOptions.httpProtocolIPv6", EnabledDisabled) ?? d.HttpProtocolIpv6,
            OptionalInt(m["httpPutResponseHopLimit"], "spec.metadataOptions.httpPutResponseHopLimit", 1, 64) ?? d.HttpPutResponseHopLimit,
            OneOf(m["httpTokens"], "spec.metadataOptions.httpTokens", Tokens) ?? d.HttpTokens);
    }

    private List<T> Terms<T>(JsonObject spec, string field, int max, Func<JsonObject, string, T> read)
    {
        var at = $"spec.{field}";
        if (spec[field] is not JsonArray list || list.Count == 0)
        {
            throw Error(at, spec[field] is null or JsonArray ? "at least one term is required" : "expected a list");
        }

        if (list.Count > max)
        {
            throw Error(at, $"at most {max} terms, found {list.Count}");
        }

        return [.. list.Select((t, i) => read(Obj(t, $"{at}[{i}]"), $"{at}[{i}]"))];
    }

    private void CheckId(string? id, string prefix, string at)
    {
        if (id is not null && !(id.StartsWith(prefix, StringComparison.Ordinal) && id.Length > prefix.Length && id[prefix.Length..].All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))))
        {
            throw Error(at, $"\"{id}\" is not an id like {prefix}0123456789abcdef0");
        }
    }

    private Dictionary<string, string> StringMap(JsonNode? node, string at)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null)
        {
            return result;
        }

        foreach (var (key, value) in Obj(node, at))
        {
            if (key.Length == 0)
            {
                throw Error(at, "a tag key cannot be empty");
            }

            var text = value is null ? null : Scalar(value, $"{at}[{key}]");
            if (string.IsNullOrEmpty(text))
            {
                throw Error($"{at}[{key}]", "a tag value cannot be empty (use \"*\" for any value)");
            }

            result[key] = text;
        }

        return result;
    }

    private void Known(JsonObject node, string at, params string[] fields)
    {
        foreach (var (key, _) in node)
        {
            if (!fields.Contains(key))
            {
                throw Error($"{at}.{key}", $"unknown field (known: {string.Join(", ", fields)})");
            }
        }
    }

    private JsonObject Obj(JsonNode? node, string at) =>
        node as JsonObject ?? throw Error(at.Length == 0 ? null : at, node is null ? "required" : "expected a mapping");

    private string Text(JsonNode? node, string at) => OptionalText(node, at) ?? throw Error(at, "required");

    private string? OptionalText(JsonNode? node, string at)
    {
        var text = node is null ? null : Scalar(node, at);
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private string? OneOf(JsonNode? node, string at, HashSet<string> allowed)
    {
        var text = OptionalText(node, at);
        if (text is not null && !allowed.Contains(text))
        {
            throw Error(at, $"\"{text}\" is not one of {string.Join(", ", allowed)}");
        }

        return text;
    }

    private bool? OptionalBool(JsonNode? node, string at)
    {
        if (node is null)
        {
            return null;
        }

        return Scalar(node, at) switch
        {
            "true" or "True" => true,
            "false" or "False" => false,
            var v => throw Error(at, $"\"{v}\" is not true or false"),
        };
    }

    private int? OptionalInt(JsonNode? node, string at, int min, int max)
    {
        if (node is null)
        {
            return null;
        }

        var text = Scalar(node, at);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(at, $"\"{text}\" is not a whole number");
        }

        if (value < min || value > max)
        {
            throw Error(at, $"{value} is outside {min} to {max}");
        }

        return (int)value;
    }

    // YAML scalars arrive as strings, JSON ones typed; both read as their text.
    private string Scalar(JsonNode node, string at) => node is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => value.ToJsonString(),
        }
        : throw Error(at, node is JsonArray ? "expected a single value, found a list" : "expected a single value, found a mapping");

    private ManifestException Error(string? field, string problem) =>
        new(_file, _document, _item, EC2NodeClass.KindName, _name, field, problem);

    [GeneratedRegex(@"^([a-z0-9]+)@(latest|v[0-9][0-9.\-a-zA-Z]*)$")]
    private static partial Regex AliasPattern();
}

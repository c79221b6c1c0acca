using System.Text.Json.Nodes;

namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>
/// What an <c>EC2NodeClass</c> resolved to in one region, as Karpenter reports it in the object's status:
/// subnets, security groups, one image per architecture, the instance profile, and conditions.
/// </summary>
public sealed record EC2NodeClassStatus(
    IReadOnlyList<AwsSubnet> Subnets,
    IReadOnlyList<ResolvedSecurityGroup> SecurityGroups,
    IReadOnlyList<ResolvedAmi> Amis,
    string? InstanceProfile,
    string? Role,
    IReadOnlyList<NodeClassCondition> Conditions)
{
    public const string Ready = "Ready";
    public const string SubnetsReady = "SubnetsReady";
    public const string SecurityGroupsReady = "SecurityGroupsReady";
    public const string AmisReady = "AMIsReady";

    /// <summary>Whether EC2 lets the provider launch with it (Karpenter's condition of the same name); false after a permission refusal.</summary>
    public const string ValidationSucceeded = "ValidationSucceeded";

    public bool IsReady => Conditions.Any(c => c.Type == Ready && c.Status);

    /// <summary>Why it is not ready: the messages of the false conditions (Ready's alone when it is the only one, as for an invalid spec).</summary>
    public IEnumerable<string> Problems
    {
        get
        {
            var parts = Conditions.Where(c => !c.Status && c.Type != Ready).Select(c => c.Message).ToList();
            return parts.Count > 0 ? parts : Conditions.Where(c => !c.Status).Select(c => c.Message);
        }
    }

    /// <summary>
    /// This status with EC2's permission refusal of a launch in its region: <c>ValidationSucceeded</c> false with
    /// EC2's code as reason and its message, and <c>Ready</c> false naming it, until the refusal's hold-off ends.
    /// </summary>
    public EC2NodeClassStatus Refused(string code, string message)
    {
        var refusal = new NodeClassCondition(ValidationSucceeded, false, code, message);
        var others = Conditions.Where(c => c.Type is not (Ready or ValidationSucceeded)).ToList();
        var problems = others.Where(c => !c.Status).Select(c => c.Message).Append(message);
        return this with { Conditions = [new NodeClassCondition(Ready, false, "NotReady", string.Join("; ", problems)), .. others, refusal] };
    }

    /// <summary>The status of a node class that cannot be read: Ready false with reason <c>InvalidSpec</c>.</summary>
    public static EC2NodeClassStatus Invalid(string message) =>
        new([], [], [], null, null, [new NodeClassCondition(Ready, false, "InvalidSpec", message)]);

    /// <summary>
    /// The status in the shape of Karpenter's <c>EC2NodeClass</c> status: <c>subnets</c> (id, zone, zoneID),
    /// <c>securityGroups</c> (id, name), <c>amis</c> (id, name, the architecture as a <c>kubernetes.io/arch</c>
    /// requirement), <c>instanceProfile</c>, <c>role</c> and <c>conditions</c> (type, status "True"/"False", reason, message).
    /// </summary>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["subnets"] = new JsonArray([.. Subnets.Select(s => (JsonNode)new JsonObject { ["id"] = s.Id, ["zone"] = s.Zone, ["zoneID"] = s.ZoneId })]),
            ["securityGroups"] = new JsonArray([.. SecurityGroups.Select(g => (JsonNode)new JsonObject { ["id"] = g.Id, ["name"] = g.Name })]),
            ["amis"] = new JsonArray([.. Amis.Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Id,
                ["name"] = a.Name,
                ["requirements"] = new JsonArray(new JsonObject
                {
                    ["key"] = "kubernetes.io/arch",
                    ["operator"] = "In",
                    // EC2 says x86_64 where Kubernetes says amd64.
                    ["values"] = new JsonArray(a.Architecture == "x86_64" ? "amd64" : a.Architecture),
                }),
            })]),
            ["instanceProfile"] = InstanceProfile,
            ["role"] = Role,
            ["conditions"] = new JsonArray([.. Conditions.Select(c => (JsonNode)new JsonObject
            {
                ["type"] = c.Type,
                ["status"] = c.Status ? "True" : "False",
                ["reason"] = c.Reason,
                ["message"] = c.Message,
            })]),
        };
        return json.ToJsonString();
    }
}

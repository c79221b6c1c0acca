using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// How a service NodeClaim looks as a <c>karpenter.sh/v1</c> NodeClaim object: its labels and spec (made once,
/// the spec is immutable in Karpenter) and its status (mirrored on every reconcile, written only when it changed).
/// </summary>
public static class NodeClaimObjects
{
    public const string Group = "karpenter.sh";
    public const string Version = "v1";
    public const string Plural = "nodeclaims";
    public const string NodePoolLabel = "karpenter.sh/nodepool";
    public const string RegisteredLabel = "karpenter.sh/registered";
    public const string InitializedLabel = "karpenter.sh/initialized";
    public const string UnregisteredTaintKey = "karpenter.sh/unregistered";
    public const string InstanceTypeLabel = "node.kubernetes.io/instance-type";
    public const string ZoneLabel = "topology.kubernetes.io/zone";
    public const string CapacityTypeLabel = "karpenter.sh/capacity-type";

    /// <summary>Marks the objects the agent made, so it deletes only those (never a NodeClaim someone else owns).</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    /// <summary>The value of <see cref="ManagedByLabel"/> on the agent's objects.</summary>
    public const string ManagedBy = "karpo-agent";

    /// <summary>How the service's reason for a claim it ended after failed launches begins.</summary>
    private const string LaunchFailedPrefix = "launch failed: ";

    /// <summary>The cloud error codes the service names in a launch failure (its <c>CloudErrorCode</c> names).</summary>
    private static readonly HashSet<string> CloudErrorCodes =
        new(["InsufficientCapacity", "QuotaExceeded", "Unauthorized", "InvalidRequest", "NotFound", "Throttled", "Internal"], StringComparer.Ordinal);

    /// <summary>The conditions a NodeClaim's Ready summarises, in lifecycle order.</summary>
    public static readonly IReadOnlyList<string> LifecycleConditions = ["Launched", "Registered", "Initialized"];

    /// <summary>The labels the object (and, once registered, its Node) carries: the claim's own, its NodePool and its offering.</summary>
    public static Dictionary<string, string> Labels(NodeClaimInfo claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var labels = new Dictionary<string, string>(claim.Labels, StringComparer.Ordinal) { [NodePoolLabel] = claim.NodePool };
        if (claim.InstanceType is { Length: > 0 } type)
        {
            labels[InstanceTypeLabel] = type;
        }

        if (claim.Zone is { Length: > 0 } zone)
        {
            labels[ZoneLabel] = zone;
        }

        if (claim.CapacityType is { Length: > 0 } capacity)
        {
            labels[CapacityTypeLabel] = capacity;
        }

        return labels;
    }

    /// <summary>
    /// A new NodeClaim object (without status, which goes through the status subresource), owned by its NodePool
    /// when <paramref name="nodePoolUid"/> is known, as Karpenter's are: deleting the NodePool then takes its NodeClaims with it.
    /// </summary>
    public static JsonObject Create(NodeClaimInfo claim, JsonNode? nodeClassRef, string? nodePoolUid = null)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var labels = new JsonObject();
        foreach (var (key, value) in Labels(claim))
        {
            labels[key] = value;
        }

        labels[ManagedByLabel] = ManagedBy;
        var requirements = new JsonArray();
        foreach (var (key, value) in new[] { (InstanceTypeLabel, claim.InstanceType), (ZoneLabel, claim.Zone), (CapacityTypeLabel, claim.CapacityType) })
        {
            if (value is { Length: > 0 })
            {
                requirements.Add(new JsonObject { ["key"] = key, ["operator"] = "In", ["values"] = new JsonArray(value) });
            }
        }

        var taints = new JsonArray();
        foreach (var text in claim.Taints)
        {
            var taint = CommandHandler.ParseTaint(text);
            var item = new JsonObject { ["key"] = taint.Key, ["effect"] = taint.Effect };
            if (taint.Value is not null)
            {
                item["value"] = taint.Value;
            }

            taints.Add(item);
        }

        var spec = new JsonObject { ["requirements"] = requirements, ["taints"] = taints };
        var requests = new JsonObject();
        if (claim.RequestsMilliCpu > 0)
        {
            requests["cpu"] = new ResourceQuantity($"{claim.RequestsMilliCpu.ToString(CultureInfo.InvariantCulture)}m").ToString();
        }

        if (claim.RequestsMemory > 0)
        {
            requests["memory"] = new ResourceQuantity(claim.RequestsMemory.ToString(CultureInfo.InvariantCulture)).ToString();
        }

        if (requests.Count > 0)
        {
            spec["resources"] = new JsonObject { ["requests"] = requests };
        }

        if (nodeClassRef is not null)
        {
            spec["nodeClassRef"] = nodeClassRef.DeepClone();
        }

        var metadata = new JsonObject { ["name"] = claim.Name, ["labels"] = labels };
        if (nodePoolUid is { Length: > 0 })
        {
            metadata["ownerReferences"] = new JsonArray(OwnerReference("NodePool", claim.NodePool, nodePoolUid));
        }

        return new JsonObject
        {
            ["apiVersion"] = $"{Group}/{Version}",
            ["kind"] = "NodeClaim",
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }

    /// <summary>
    /// An owner reference to a <c>karpenter.sh/v1</c> object (a NodeClaim's NodePool, a Node's NodeClaim), blocking
    /// the owner's foreground deletion until the dependent is gone, as Karpenter sets them.
    /// </summary>
    public static JsonObject OwnerReference(string kind, string name, string uid) => new()
    {
        ["apiVersion"] = $"{Group}/{Version}",
        ["kind"] = kind,
        ["name"] = name,
        ["uid"] = uid,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>
    /// The status the object should have: providerID, nodeName, capacity and the lifecycle conditions with
    /// Karpenter's reasons. A condition keeps its lastTransitionTime while its status stays.
    /// </summary>
    public static JsonObject Status(NodeClaimInfo claim, string? providerId, JsonArray? previous, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var status = new JsonObject();
        if (providerId is { Length: > 0 })
        {
            status["providerID"] = providerId;
        }

        if (claim.NodeName is { Length: > 0 } node)
        {
            status["nodeName"] = node;
        }

        if (claim.CapacityMilliCpu > 0 || claim.CapacityMemory > 0)
        {
            status["capacity"] = Resources(claim);
            status["allocatable"] = Resources(claim);
        }

        var launched = claim.LaunchedAt is not null || claim.InstanceId is not null || claim.Phase is > NodeClaimPhase.Pending and < NodeClaimPhase.Terminated;
        var registered = claim.RegisteredAt is not null || claim.NodeName is not null;
        var initialized = claim.InitializedAt is not null;
        var failed = (claim.Phase == NodeClaimPhase.Pending && claim.Reason is { Length: > 0 }) || IsFailedLaunch(claim);
        var conditions = new JsonArray
        {
            Condition("Launched", launched ? "True" : failed ? "False" : "Unknown", launched ? "Launched" : failed ? LaunchFailureReason(claim.Reason!) : "AwaitingReconciliation",
                failed ? claim.Reason! : "", claim.LaunchedAt, previous, now),
            Condition("Registered", registered ? "True" : "Unknown", registered ? "Registered" : "AwaitingReconciliation", "", claim.RegisteredAt, previous, now),
            Condition("Initialized", initialized ? "True" : "Unknown", initialized ? "Initialized" : "AwaitingReconciliation", "", claim.InitializedAt, previous, now),
        };
        var ready = launched && registered && initialized;
        var waiting = !launched ? "Launched" : !registered ? "Registered" : "Initialized";
        conditions.Add(Condition("Ready", ready ? "True" : failed ? "False" : "Unknown", ready ? "Ready" : "UnhealthyDependents",
            ready ? "" : failed ? claim.Reason! : $"{waiting} is not True", claim.InitializedAt, previous, now));
        if (claim.Phase == NodeClaimPhase.Drifted)
        {
            conditions.Add(Condition("Drifted", "True", claim.Reason is { Length: > 0 } r ? Reason(r) : "Drifted", claim.Reason ?? "", null, previous, now));
        }

        if (claim.Phase is NodeClaimPhase.Disrupting or NodeClaimPhase.Draining or NodeClaimPhase.Terminating)
        {
            // The service's phase and reason, in Karpenter's own condition for why a claim is being disrupted.
            conditions.Add(Condition("DisruptionReason", "True", claim.Reason is { Length: > 0 } r ? Reason(r) : claim.Phase.ToString(),
                $"{claim.Phase}{(claim.Reason is { Length: > 0 } why ? ": " + why : "")}", null, previous, now));
        }

        if (claim.Phase == NodeClaimPhase.Terminating)
        {
            conditions.Add(Condition("InstanceTerminating", "True", "InstanceTerminating", "", claim.TerminatedAt, previous, now));
        }

        status["conditions"] = conditions;
        return status;
    }

    /// <summary>
    /// A claim the service ended because no launch succeeded (it never had an instance): its object stays, with
    /// Launched=False saying why, while the service still lists it, so the user sees what to fix.
    /// </summary>
    public static bool IsFailedLaunch(NodeClaimInfo claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return claim is { Phase: NodeClaimPhase.Terminated, InstanceId: null, LaunchedAt: null, Reason: { } reason }
            && reason.StartsWith(LaunchFailedPrefix, StringComparison.Ordinal);
    }

    /// <summary>
    /// The Launched condition's reason for a failed launch: the service's failure reason (its cloud error code,
    /// <c>QuotaExceeded</c> for its own quota ledger, <c>InstanceConflict</c>) of the last option it tried, read
    /// from the claim's reason text; <c>LaunchFailed</c> when the text names none.
    /// </summary>
    public static string LaunchFailureReason(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var text = reason.StartsWith(LaunchFailedPrefix, StringComparison.Ordinal) ? reason[LaunchFailedPrefix.Length..] : reason;
        var found = "LaunchFailed";
        // "Code: message" (the cloud refused the call), "type/zone/capacity: Code" (per offering), "quota ...: ..." (the ledger).
        foreach (var part in text.Split("; ", StringSplitOptions.RemoveEmptyEntries))
        {
            var segments = part.Split(": ");
            var code = segments.Take(2).Select(x => x.Trim()).FirstOrDefault(CloudErrorCodes.Contains);
            if (code is not null)
            {
                found = code;
            }
            else if (part.StartsWith("quota ", StringComparison.Ordinal))
            {
                found = "QuotaExceeded";
            }
            else if (part.EndsWith("already holds", StringComparison.Ordinal) || part.Contains(", which NodeClaim ", StringComparison.Ordinal))
            {
                found = "InstanceConflict";
            }
        }

        return found;
    }

    /// <summary>The status of one condition in a conditions array, or null.</summary>
    public static string? ConditionStatus(JsonArray? conditions, string type) =>
        conditions?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type)?["status"]?.GetValue<string>();

    private static JsonObject Condition(string type, string status, string reason, string message, DateTimeOffset? at, JsonArray? previous, DateTimeOffset now)
    {
        var before = previous?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
        var since = before is not null && before["status"]?.GetValue<string>() == status && before["lastTransitionTime"] is { } kept
            ? kept.GetValue<string>()
            : Timestamp(at ?? now);
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["reason"] = reason,
            ["message"] = message,
            ["lastTransitionTime"] = since,
        };
    }

    /// <summary>A condition reason is CamelCase without spaces: the service's reason's first word.</summary>
    private static string Reason(string text)
    {
        var word = new string([.. text.TakeWhile(char.IsLetterOrDigit)]);
        return word.Length == 0 ? "Unknown" : char.ToUpperInvariant(word[0]) + word[1..];
    }

    private static JsonObject Resources(NodeClaimInfo claim) => new()
    {
        ["cpu"] = claim.CapacityMilliCpu % 1000 == 0
            ? (claim.CapacityMilliCpu / 1000).ToString(CultureInfo.InvariantCulture)
            : claim.CapacityMilliCpu.ToString(CultureInfo.InvariantCulture) + "m",
        ["memory"] = claim.CapacityMemory % (1L << 20) == 0
            ? (claim.CapacityMemory >> 20).ToString(CultureInfo.InvariantCulture) + "Mi"
            : claim.CapacityMemory.ToString(CultureInfo.InvariantCulture),
    };

    internal static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// Checks requests completely before any grain sees them, so a refused request changes nothing. The
/// grains validate again; this layer exists to name the field and to keep half-valid input out.
/// </summary>
internal static partial class RequestValidation
{
    public const int MaxLabelLength = 63;

    /// <summary>Cluster ids are DNS-1123 labels, like the Kubernetes names they often mirror.</summary>
    public static string ClusterId(string? value, string field = "clusterId")
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLabelLength || !Dns1123Label().IsMatch(value))
        {
            throw ApiException.BadRequest(
                $"{field} must be a DNS-1123 label: at most {MaxLabelLength} lower-case letters, digits or '-', starting and ending with a letter or digit",
                field);
        }

        return value;
    }

    /// <summary>Provider, account and region become parts of grain keys ("provider/account/region"), so no separators or spaces.</summary>
    public static string KeySegment(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw ApiException.BadRequest($"{field} is required", field);
        }

        if (value.Length > 128 || !KeySegmentPattern().IsMatch(value))
        {
            throw ApiException.BadRequest($"{field} may hold only letters, digits, '.', '_' and '-' (at most 128)", field);
        }

        return value;
    }

    public static double? SpendCap(double? value, string field)
    {
        // -0 compares equal to 0 but is a sign error, not a cap of nothing: refused like any negative.
        if (value is { } cap && (!double.IsFinite(cap) || double.IsNegative(cap)))
        {
            throw ApiException.BadRequest($"{field} must be a number ≥ 0 (or null for no cap); got {cap.ToString(System.Globalization.CultureInfo.InvariantCulture)}", field);
        }

        return value;
    }

    public static void Registration(ClusterRegistration registration)
    {
        ClusterId(registration.ClusterId);
        KeySegment(registration.Provider, "provider");
        KeySegment(registration.Region, "region");
        KeySegment(registration.Account, "account");
        SpendCap(registration.SpendCapPerHour, "spendCapPerHour");
        if (registration.DisplayName is { Length: > 256 })
        {
            throw ApiException.BadRequest("displayName is longer than 256 characters", "displayName");
        }
    }

    public static void Snapshot(ClusterSnapshot snapshot)
    {
        Session(snapshot.AgentSession);
        if (snapshot.Sequence < 0)
        {
            throw ApiException.BadRequest("sequence must be ≥ 0", "sequence");
        }

        if (snapshot.Objects is null)
        {
            throw ApiException.BadRequest("objects is required (an empty list for an empty cluster)", "objects");
        }

        for (var i = 0; i < snapshot.Objects.Count; i++)
        {
            var field = $"objects[{i}]";
            var item = snapshot.Objects[i] ?? throw ApiException.BadRequest($"{field} is null", field);
            Kind(item.Kind, $"{field}.kind");
            ObjectJson(item.Json, $"{field}.json");
        }
    }

    public static void Batch(DeltaBatch batch)
    {
        Session(batch.AgentSession);
        if (batch.Deltas is null)
        {
            throw ApiException.BadRequest("deltas is required", "deltas");
        }

        for (var i = 0; i < batch.Deltas.Count; i++)
        {
            var field = $"deltas[{i}]";
            var delta = batch.Deltas[i] ?? throw ApiException.BadRequest($"{field} is null", field);
            if (delta.Sequence < 0)
            {
                throw ApiException.BadRequest($"{field}.sequence must be ≥ 0", $"{field}.sequence");
            }

            if (!Enum.IsDefined(delta.Type))
            {
                throw ApiException.BadRequest($"{field}.type must be upsert or delete", $"{field}.type");
            }

            Kind(delta.Kind, $"{field}.kind");
            if (string.IsNullOrWhiteSpace(delta.Name))
            {
                throw ApiException.BadRequest($"{field}.name is required", $"{field}.name");
            }

            // A delete names its object; an upsert must carry it.
            if (delta.Type == DeltaType.Upsert || delta.Json is not null)
            {
                ObjectJson(delta.Json, $"{field}.json");
            }
        }
    }

    public const int MaxAcks = 10_000;

    /// <summary>An agent's command acknowledgements: ids as the service gave them, a known outcome, a bounded message.</summary>
    public static void Acks(CommandAck[] acks)
    {
        if (acks.Length > MaxAcks)
        {
            throw ApiException.BadRequest($"at most {MaxAcks} acknowledgements per request; got {acks.Length}", "body");
        }

        for (var i = 0; i < acks.Length; i++)
        {
            var field = $"[{i}]";
            var ack = acks[i] ?? throw ApiException.BadRequest($"{field} is null", field);
            if (string.IsNullOrWhiteSpace(ack.Id) || ack.Id.Length > 1024)
            {
                throw ApiException.BadRequest($"{field}.id is required (a command id, at most 1024 characters)", $"{field}.id");
            }

            if (!Enum.IsDefined(ack.Outcome))
            {
                throw ApiException.BadRequest($"{field}.outcome must be done, refused or failed", $"{field}.outcome");
            }

            if (ack.Message is { Length: > 4096 })
            {
                throw ApiException.BadRequest($"{field}.message is longer than 4096 characters", $"{field}.message");
            }
        }
    }

    /// <summary>NodeClaim names are DNS-1123 subdomains: lower-case, digits, '-' and '.', at most 253.</summary>
    public static string NodeClaimName(string? value, string field)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 253 || !Dns1123Subdomain().IsMatch(value))
        {
            throw ApiException.BadRequest($"{field} must be a NodeClaim name (a DNS-1123 subdomain)", field);
        }

        return value;
    }

    public static string NodeClassName(string? value, string field)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 253 || !Dns1123Subdomain().IsMatch(value))
        {
            throw ApiException.BadRequest($"{field} must be a node class name (a DNS-1123 subdomain)", field);
        }

        return value;
    }

    public static void Disruption(DisruptionRequest request)
    {
        if (request.Nodes is not { Count: > 0 })
        {
            throw ApiException.BadRequest("nodes must name at least one node", "nodes");
        }

        for (var i = 0; i < request.Nodes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(request.Nodes[i]) || request.Nodes[i].Length > 253)
            {
                throw ApiException.BadRequest($"nodes[{i}] must be a node name", $"nodes[{i}]");
            }
        }

        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            throw ApiException.BadRequest("reason is required (Empty, Drifted, Underutilized, Expired or Interrupted)", "reason");
        }
    }

    private static void Session(string? session)
    {
        if (string.IsNullOrWhiteSpace(session))
        {
            throw ApiException.BadRequest("agentSession is required", "agentSession");
        }
    }

    private static void Kind(ObjectKind kind, string field)
    {
        if (!Enum.IsDefined(kind))
        {
            throw ApiException.BadRequest($"{field} is not a known kind ({string.Join(", ", Enum.GetNames<ObjectKind>())})", field);
        }
    }

    private static void ObjectJson(string? json, string field)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw ApiException.BadRequest($"{field} is required", field);
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.BadRequest($"{field} must be a JSON object", field);
            }
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest($"{field} is not valid JSON", field);
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex KeySegmentPattern();
}

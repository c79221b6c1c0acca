using System.Text;
using System.Text.Json.Nodes;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Grains.Clusters;
using Karpenter.Orleans.Grains.NodeClaims;
using Karpenter.Orleans.Storage;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>
/// The claim's grain state and the cluster's index share one status shape; stored state written before they did
/// (each class with its own copy of the fields) reads unchanged, and the shape stays flat in storage.
/// </summary>
public sealed class NodeClaimStatusStorageTests
{
    private static readonly PlainJsonGrainStorageSerializer Serializer = new();

    [Fact]
    public void A_claim_state_stored_by_the_earlier_flat_class_reads_into_the_shared_status()
    {
        const string stored = """
            {"spec":null,"phase":"Initialized","instanceId":"i-0abc","instanceType":"m5.large","zone":"us-east-1a","capacityType":"on-demand",
             "pricePerHour":0.096,"nodeName":"ip-10-0-0-1","capacityMilliCpu":1930,"capacityMemory":7500000000,
             "createdAt":"2026-12-01T10:00:00+00:00","launchedAt":"2026-12-01T10:00:05+00:00","registeredAt":"2026-12-01T10:01:00+00:00",
             "initializedAt":"2026-12-01T10:01:10+00:00","terminatedAt":null,"reason":null,"quotaHeld":true,"launchAttempts":1,"interruption":null}
            """;

        var state = Serializer.Deserialize<NodeClaimState>(new BinaryData(Encoding.UTF8.GetBytes(Normalized(stored))));

        Assert.Equal(NodeClaimPhase.Initialized, state.Phase);
        Assert.Equal(("i-0abc", "m5.large", "us-east-1a", "on-demand"), (state.InstanceId, state.InstanceType, state.Zone, state.CapacityType));
        Assert.Equal(0.096, state.PricePerHour);
        Assert.Equal(1930, state.CapacityMilliCpu);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 1, 10, TimeSpan.Zero), state.InitializedAt);
        Assert.True(state.QuotaHeld);
        Assert.Equal(1, state.LaunchAttempts);
    }

    [Fact]
    public void The_index_entry_is_stored_flat_and_reports_what_the_claim_reported()
    {
        var entry = new ClaimEntry { NodePool = "default", Phase = NodeClaimPhase.Pending, InstanceType = "m5.large", CreatedAt = DateTimeOffset.UnixEpoch };
        var launched = new NodeClaimInfo("c1", "default-abc", "default", new NodeClaimStatus
        {
            Phase = NodeClaimPhase.Launched,
            InstanceId = "i-1",
            InstanceType = "m5.xlarge",
            Zone = "us-east-1b",
            CapacityType = "spot",
            PricePerHour = 0.05,
            CapacityMilliCpu = 3920,
            CapacityMemory = 15_000_000_000,
            CreatedAt = DateTimeOffset.UnixEpoch,
            LaunchedAt = DateTimeOffset.UnixEpoch.AddSeconds(5),
        });

        Assert.True(entry.Merge(launched));
        Assert.False(entry.Merge(launched));
        var json = JsonNode.Parse(Serializer.Serialize(entry).ToString())!.AsObject();

        // Flat: the status fields sit beside the index's own, as they did before the shapes were shared.
        Assert.Equal("i-1", json[Key(json, "instanceId")]!.GetValue<string>());
        Assert.Equal("default", json[Key(json, "nodePool")]!.GetValue<string>());
        Assert.Equivalent(launched, entry.ToInfo("c1", "default-abc", entry.NodePool), strict: true);
    }

    private static string Key(JsonObject json, string camel) =>
        json.Select(p => p.Key).Single(k => string.Equals(k, camel, StringComparison.OrdinalIgnoreCase));

    // The serializer's own naming decides the case of the stored names; the test writes the earlier payload in it.
    private static string Normalized(string camel)
    {
        var probe = JsonNode.Parse(Serializer.Serialize(new NodeClaimState()).ToString())!.AsObject();
        var source = JsonNode.Parse(camel)!.AsObject();
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            result[Key(probe, key)] = value?.DeepClone();
        }

        return result.ToJsonString();
    }
}

using System.Text;
using Karpenter.Orleans.Storage;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>State written by one CLR type reads into another of the same shape: names of types never reach the store.</summary>
public sealed class PlainJsonGrainStorageSerializerTests
{
    [Fact]
    public void State_written_by_one_type_reads_into_a_renamed_type_in_another_namespace()
    {
        var serializer = new PlainJsonGrainStorageSerializer();
        var written = new Before.PoolStateV1
        {
            Claims = [new Before.ClaimV1("claim-1", 2), new Before.ClaimV1("claim-2", 4)],
            Phase = Before.PhaseV1.Draining,
            Labels = new() { ["zone"] = "eu-1a" },
            Generation = 7,
        };

        var payload = serializer.Serialize(written);
        var read = serializer.Deserialize<After.NodePoolState>(payload);

        Assert.Equal(7, read.Generation);
        Assert.Equal(After.PoolPhase.Draining, read.Phase);
        Assert.Equal([new After.NodeClaim("claim-1", 2), new After.NodeClaim("claim-2", 4)], read.Claims);
        Assert.Equal("eu-1a", read.Labels["zone"]);
    }

    [Fact]
    public void Payload_is_plain_json_without_type_or_assembly_names()
    {
        var json = Encoding.UTF8.GetString(new PlainJsonGrainStorageSerializer().Serialize(new Before.PoolStateV1
        {
            Claims = [new Before.ClaimV1("c", 1)],
            Phase = Before.PhaseV1.Active,
        }).ToArray());

        Assert.DoesNotContain("$type", json, StringComparison.Ordinal);
        Assert.DoesNotContain("$id", json, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(Before.PoolStateV1), json, StringComparison.Ordinal);
        Assert.DoesNotContain(typeof(Before.PoolStateV1).Assembly.GetName().Name!, json, StringComparison.Ordinal);
        Assert.Contains("\"phase\":\"Active\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_null_reads_as_default_so_the_provider_creates_a_fresh_state()
    {
        var serializer = new PlainJsonGrainStorageSerializer();

        Assert.Null(serializer.Deserialize<After.NodePoolState>(BinaryData.FromString("null")));
    }
}

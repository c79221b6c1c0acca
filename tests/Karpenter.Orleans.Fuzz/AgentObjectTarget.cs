using System.Text;
using System.Text.Json;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// One Kubernetes object's JSON, sent as every kind in a resync body (properly escaped, so the mutations
/// reach the object rather than the envelope) and read as the API and then the cluster grain read it.
/// </summary>
internal sealed class AgentObjectTarget(ApiBodyTarget<ClusterSnapshot> snapshot, Lazy<JsonSerializerOptions> json) : FuzzTarget
{
    public override string Name => "agent-object";

    public override IReadOnlyList<string> Tokens => FuzzTokens.Json;

    public override FuzzOutcome Execute(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        var objects = Enum.GetValues<ObjectKind>().Select(kind => new ClusterObject(kind, text)).ToList();
        var body = JsonSerializer.SerializeToUtf8Bytes(new ClusterSnapshot("fuzz", 0, objects), json.Value);
        return snapshot.Execute(body);
    }
}

using Karpenter.Orleans.Agent.Tests.TestSupport;

namespace Karpenter.Orleans.Agent.Tests;

public sealed class AgentTokenTests
{
    [Fact]
    public async Task A_wrong_token_is_reported_naming_the_request_and_the_file_and_no_log_line_holds_a_token()
    {
        const string wrong = "karpo-agent-wrong-token-6e5d4c3b2a";
        await using var rig = await AgentRig.StartAsync(AgentStreamingTests.SlowProvisioning);
        await rig.StartAgentAsync(token: wrong);

        // Every call is refused (the snapshot and the command, claim and feedback polls); the snapshot's names its request.
        var snapshot = $"PUT /api/v1/clusters/{AgentRig.ClusterId}/state";
        static bool Refused(string line) => line.Contains("refused the agent's token (401)", StringComparison.Ordinal);
        await rig.EventuallyAsync("the 401 reported", () => Task.FromResult(rig.Logs.Lines.Any(l => Refused(l) && l.Contains(snapshot, StringComparison.Ordinal))));

        var refused = rig.Logs.Lines.First(l => Refused(l) && l.Contains(snapshot, StringComparison.Ordinal));
        Assert.Contains(Path.Combine(rig.Directory, "token"), refused, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.Logs.Lines, l => l.Contains(wrong, StringComparison.Ordinal) || l.Contains(rig.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rotated_token_file_is_read_again_and_the_stream_goes_on()
    {
        await using var rig = await AgentRig.StartAsync(AgentStreamingTests.SlowProvisioning);
        await rig.StartAgentAsync(token: "karpo-agent-stale-token-1a2b3c");
        await rig.CreatePodAsync("a");
        await rig.EventuallyAsync("the 401 reported", () => Task.FromResult(rig.Logs.Lines.Any(l => l.Contains("(401)", StringComparison.Ordinal))));

        await File.WriteAllTextAsync(Path.Combine(rig.Directory, "token"), rig.Token);

        await rig.EventuallyAsync("pod a in /pending", async () => (await rig.PendingNamesAsync()).Length == 1);
    }
}

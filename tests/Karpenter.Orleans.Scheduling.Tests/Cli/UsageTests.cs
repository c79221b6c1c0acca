namespace Karpenter.Orleans.Scheduling.Tests.Cli;

public sealed class UsageTests
{
    [Theory]
    [InlineData]
    [InlineData("bogus")]
    [InlineData("simulate")]
    [InlineData("simulate", "--instance-types", "c.json")]
    [InlineData("simulate", "--instance-types", "c.json", "-f", "m.yaml", "-o", "yaml")]
    [InlineData("simulate", "--instance-types", "c.json", "-f", "m.yaml", "--min-values-policy", "Sometimes")]
    [InlineData("simulate", "--instance-types", "c.json", "-f", "m.yaml", "--no-such-flag")]
    [InlineData("bench", "--pods", "0")]
    [InlineData("bench", "--repeat", "many")]
    [InlineData("bench", "--workload", "other")]
    public void UsageErrorsExitTwoWithMessageOnStderr(params string[] args)
    {
        var run = Karpo.Run(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public void HelpListsTheCommandsAndExitsZero()
    {
        var run = Karpo.Run("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("simulate", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("bench", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void SimulateHelpNamesEveryOption()
    {
        var run = Karpo.Run("simulate", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--instance-types", "-f", "--output", "--min-values-policy", "--preference-policy", "--no-improve", "--lower-bound" })
        {
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        }
    }
}

using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// Shell completion: karpo answers System.CommandLine's <c>[suggest:POSITION]</c> directive with commands, option
/// values and the config file's context names, and <c>karpo completion SHELL</c> prints a script that asks it.
/// </summary>
[Collection(CliSiloCollection.Name)]
public sealed class CompletionTests(CliSiloFactory factory)
{
    [Theory]
    [InlineData("karpo nod", new[] { "nodeclaims", "nodeclasses", "nodepools" })]
    [InlineData("karpo nodeclaims -o ", new[] { "json", "name", "table", "wide", "yaml" })]
    [InlineData("karpo config use", new[] { "use-context" })]
    [InlineData("karpo capacity -o ", new[] { "json", "table", "wide", "yaml" })]
    public void SuggestCompletesCommandsAndOptionValues(string line, string[] expected)
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var run = Suggest(karpo, line);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected, run.StdoutLines);
    }

    [Fact]
    public void ContextNamesComplete()
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());
        karpo.WriteConfig($$"""
            { "server": "http://silo.test", "token": "{{KarpoSiloFactory.ReadToken}}",
              "contexts": [ { "name": "prod-east", "server": "http://a.test" }, { "name": "prod-west", "server": "http://b.test" } ] }
            """);

        var option = Suggest(karpo, "karpo pending --context prod-");
        var argument = Suggest(karpo, "karpo config use-context ");

        Assert.Equal(["prod-east", "prod-west"], option.StdoutLines);
        // An argument's completions come with the command's options, as System.CommandLine lists them.
        Assert.Equal(["default", "prod-east", "prod-west"], argument.StdoutLines.Where(l => !l.StartsWith('-') && !l.StartsWith('/')));
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _karpo_complete karpo")]
    [InlineData("zsh", "bashcompinit")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName karpo")]
    public void CompletionPrintsAScriptThatAsksKarpo(string shell, string line)
    {
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var run = karpo.Run("completion", shell);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(line, run.Stdout, StringComparison.Ordinal);
        Assert.Contains("karpo \"[suggest:", run.Stdout, StringComparison.Ordinal);
    }

    private static FleetCliRun Suggest(KarpoFleet karpo, string line) => karpo.Run($"[suggest:{line.Length}]", line);
}

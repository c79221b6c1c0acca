using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>karpo finds the real silo with nothing but the client config file the silo wrote at start.</summary>
[Collection(CliSiloCollection.Name)]
public sealed class SiloClientConfigTests(CliSiloFactory factory)
{
    [Fact]
    public async Task KarpoNeedsOnlyTheConfigTheSiloWrote()
    {
        using var handler = factory.Server.CreateHandler();
        // The silo writes the file once the host has started; allow it a moment on a busy machine.
        for (var i = 0; i < 100 && !File.Exists(factory.ClientConfigPath); i++)
        {
            await Task.Delay(100);
        }

        using var karpo = new KarpoFleet(handler);
        karpo.Variables["KARPO_CONFIG"] = factory.ClientConfigPath;

        var run = karpo.Run("cost");

        Assert.True(File.Exists(factory.ClientConfigPath), "the silo wrote no client config");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.StartsWith("fleet: $", run.StdoutLines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(KarpoSiloFactory.ReadToken, run.All, StringComparison.Ordinal);
        Assert.DoesNotContain(KarpoSiloFactory.AdminToken, run.All, StringComparison.Ordinal);
    }
}

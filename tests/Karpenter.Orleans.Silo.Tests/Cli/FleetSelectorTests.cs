using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Fleet;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary><c>-l</c> on the real silo's NodeClaims and NodePools: the labels Karpenter gives them select them, in every format.</summary>
[Collection(CliSiloCollection.Name)]
public sealed class FleetSelectorTests(CliSiloFactory factory)
{
    [Fact]
    public async Task NodeClaimsAreSelectedByKarpentersLabels()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();
        var all = Claims(karpo, "--cluster", fleet.Prod);
        var launched = all.Where(c => c.InstanceType is not null).ToList();
        Assert.NotEmpty(launched);
        var type = launched[0].InstanceType!;

        var byPool = Claims(karpo, "--cluster", fleet.Prod, "-l", $"karpenter.sh/nodepool={CliFleet.NodePool}");
        var otherPool = Claims(karpo, "--cluster", fleet.Prod, "-l", "karpenter.sh/nodepool!=" + CliFleet.NodePool);
        var byType = Claims(karpo, "--cluster", fleet.Prod, "-l", $"node.kubernetes.io/instance-type in ({type}),karpenter.sh/capacity-type=on-demand");
        var notType = Claims(karpo, "--cluster", fleet.Prod, "-l", $"node.kubernetes.io/instance-type notin ({type})");
        var noZone = Claims(karpo, "--cluster", fleet.Prod, "-l", "!topology.kubernetes.io/zone");

        Assert.Equal(all.Select(c => c.Name).Order(), byPool.Select(c => c.Name).Order());
        Assert.Empty(otherPool);
        // The seeded NodePool allows on-demand only.
        Assert.Equal(all.Where(c => c.InstanceType == type).Select(c => c.Name).Order(), byType.Select(c => c.Name).Order());
        Assert.Equal(all.Where(c => c.InstanceType != type).Select(c => c.Name).Order(), notType.Select(c => c.Name).Order());
        Assert.Equal(all.Where(c => c.Zone is null).Select(c => c.Name).Order(), noZone.Select(c => c.Name).Order());
    }

    [Fact]
    public async Task TheSelectorAppliesToTablesAndNamesToo()
    {
        var fleet = await factory.SeedAsync();
        using var karpo = Karpo();

        var none = karpo.Run("nodeclaims", "--cluster", fleet.Prod, "-l", "karpenter.sh/nodepool=nowhere");
        var names = karpo.Run("nodepools", "-l", $"karpenter.sh/nodepool in ({CliFleet.NodePool})", "-o", "name");
        var noPools = karpo.Run("nodepools", "-l", "karpenter.sh/nodepool notin (" + CliFleet.NodePool + ")", "-o", "name");

        Assert.Equal(0, none.ExitCode);
        Assert.Equal("No node claims.\n", none.Stdout);
        Assert.Contains($"nodepool/{fleet.Prod}/{CliFleet.NodePool}", names.StdoutLines);
        Assert.DoesNotContain($"nodepool/{fleet.Prod}/{CliFleet.NodePool}", noPools.StdoutLines);
    }

    private static NodeClaimInfo[] Claims(KarpoFleet karpo, params string[] args)
    {
        var run = karpo.Run(["nodeclaims", .. args, "-o", "json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonSerializer.Deserialize<NodeClaimInfo[]>(run.Stdout, FleetJson.Options)!;
    }

    private KarpoFleet Karpo()
    {
        var karpo = new KarpoFleet(factory.Server.CreateHandler(), TimeProvider.System);
        karpo.Variables["KARPO_SERVER"] = "http://fleet.test";
        karpo.Variables["KARPO_TOKEN"] = KarpoSiloFactory.ReadToken;
        return karpo;
    }
}

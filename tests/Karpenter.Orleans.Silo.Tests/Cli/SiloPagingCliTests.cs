using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Fleet;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>karpo follows the API's pages, so a list longer than one page still comes out whole.</summary>
[Collection(CliSiloCollection.Name)]
public sealed class SiloPagingCliTests(CliSiloFactory factory)
{
    [Fact]
    public async Task Pending_lists_every_pod_of_a_cluster_with_more_than_two_pages()
    {
        using var admin = factory.CreateClient(KarpoSiloFactory.AdminToken);
        var names = await admin.RegisterWithPendingPodsAsync("cli-paged", 1101);
        using var karpo = new KarpoFleet(factory.Server.CreateHandler());

        var run = karpo.Run("pending", "--cluster", "cli-paged", "-o", "json", "--server", "http://localhost", "--token", KarpoSiloFactory.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        var pods = JsonSerializer.Deserialize<FleetPendingPod[]>(run.Stdout, FleetJson.Options);
        Assert.NotNull(pods);
        Assert.Equal(names.Order(StringComparer.Ordinal), pods.Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>The human tables of the fleet commands, against the fake server's fixed fleet and a stopped clock.</summary>
public sealed class FleetTableTests
{
    [Fact]
    public async Task ClustersPrintsAnAlignedTableAndASummary()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("clusters", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        Assert.Equal(
            """
            CLUSTER     PROVIDER    REGION      ACCOUNT        NODES   CLAIMS   PODS   PENDING   $/H      CAP $/H   AGENT       LAST PROVISIONED
            dev-west    simulated   us-west-2   dev            2       2        8      0         0.0832   -         -           never
            prod-east   aws         us-east-1   111122223333   12      13       120    2         1.680    10.000    connected   5m ago

            2 clusters: 14 nodes, 2 pending pods, $1.7632/hour

            """.ReplaceLineEndings("\n"),
            run.Stdout);
    }

    [Fact]
    public async Task ClustersWithAnIdShowsThatClusterOnly()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("clusters", "dev-west", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("/api/v1/clusters/dev-west", server.Requests.Select(r => r.PathAndQuery));
        Assert.Equal(2, run.StdoutLines.Count(l => !l.StartsWith("1 cluster", StringComparison.Ordinal)));
        Assert.DoesNotContain("prod-east", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CapacityGroupsByClusterByDefault()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("capacity", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("/api/v1/capacity?groupBy=cluster", Assert.Single(server.Requests).PathAndQuery);
        Assert.Equal(
            """
            CLUSTER     NODES   CPU(cores)   MEMORY(GiB)   $/H
            dev-west    2       4            8.0           0.0832
            prod-east   12      40           160.0         1.680

            total: 14 nodes, 44 cores, 168.0 GiB, $1.7632/hour

            """.ReplaceLineEndings("\n"),
            run.Stdout);
    }

    [Fact]
    public async Task CapacityGroupsByTheKeysGivenInTheirOrder()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("capacity", "--group-by", "zone,capacitytype", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("/api/v1/capacity?groupBy=zone%2CcapacityType", Assert.Single(server.Requests).PathAndQuery);
        var lines = run.StdoutLines;
        Assert.StartsWith("ZONE         CAPACITY TYPE   NODES", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("us-east-1a   spot            4       8            32.0          0.144", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("us-west-2a   on-demand", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeClaimsShowPhaseInstanceAgeAndReason()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("nodeclaims", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            """
            CLUSTER     NAME            NODEPOOL   PHASE         TYPE        ZONE         CAPACITY    $/H      CPU(cores)   MEMORY(GiB)   NODE          AGE     REASON
            dev-west    default-x1y2z   default    Terminated    t3.medium   us-west-2a   on-demand   0.0416   2            4.0           sim-node-17   2d4h    expired
            prod-east   general-abc12   general    Initialized   m5.large    us-east-1a   spot        0.036    2            8.0           ip-10-0-1-5   3h10m   -
            prod-east   general-def34   general    Pending       -           -            -           0.000    0            0.0           -             40s     -

            3 node claims: 2 live at $0.036/hour

            """.ReplaceLineEndings("\n"),
            run.Stdout);
    }

    [Fact]
    public async Task NodeClaimsOfOneCluster()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("nodeclaims", "--cluster", "dev-west", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("/api/v1/nodeclaims?cluster=dev-west", Assert.Single(server.Requests).PathAndQuery);
        Assert.Contains("default-x1y2z", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("prod-east", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PendingPodsShowHowLongAndWhy()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("pending", "--cluster", "prod-east", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            """
            CLUSTER     NAMESPACE   NAME    PENDING   NODECLAIM       REASON
            prod-east   default     web-7   15m       -               no instance type fits: requests 96 cpu, the largest offering has 64
            prod-east   batch       api-2   40s       general-def34   waiting for node claim general-def34 to launch

            2 pending pods in 1 cluster

            """.ReplaceLineEndings("\n"),
            run.Stdout);
    }

    [Fact]
    public async Task NoPendingPodsIsOneSentence()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("pending", "--cluster", "dev-west", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("No pending pods in cluster 'dev-west'.\n", run.Stdout);
    }

    [Fact]
    public async Task CostShowsClustersAndTheFleetAgainstItsCap()
    {
        await using var server = await FakeFleetServer.StartAsync();
        using var karpo = new KarpoFleet(server.CreateHandler());

        var run = karpo.Run("cost", "--server", "http://fleet.test", "--token", FakeFleetServer.ReadToken);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            """
            CLUSTER     REGION      NODES   PENDING   $/H      CAP $/H   OF CAP
            prod-east   us-east-1   12      2         1.680    10.000    16.8%
            dev-west    us-west-2   2       0         0.0832   -         -

            fleet: $1.7632/hour running, $1.8632/hour committed (running plus launches in flight), cap $20.000/hour (9.3% committed); 2 clusters

            """.ReplaceLineEndings("\n"),
            run.Stdout);
    }
}

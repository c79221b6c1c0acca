using System.Runtime.CompilerServices;
using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Fleet;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// The test silo for the CLI tests. It writes its karpo client config (by default it only does when it generated
/// its tokens), and it is given the instance-type catalog by absolute path: the simulated cloud otherwise looks for
/// it above the test binaries, which are not inside the checkout when built with --artifacts-path elsewhere.
/// Clusters reconcile often, so the fleet the tests read (<see cref="SeedAsync"/>) is ready soon.
/// </summary>
public sealed class CliSiloFactory : KarpoSiloFactory
{
    private readonly Lazy<Task<CliFleet>> _fleet;

    public CliSiloFactory()
        : base(new Dictionary<string, string?>
        {
            ["Karpo:Auth:WriteClientConfig"] = "true",
            ["Karpo:SimulatedCloud:CatalogPath"] = Path.Combine(RepositoryRoot(), "data", "aws-us-east-1-instance-types.json"),
            ["Karpo:Provisioning:ReconcileInterval"] = "00:00:00.200",
        })
    {
        _fleet = new Lazy<Task<CliFleet>>(SeedOnceAsync);
    }

    /// <summary>Registers and syncs the <see cref="CliFleet"/> clusters once, and waits until the silo has acted on them.</summary>
    public Task<CliFleet> SeedAsync() => _fleet.Value;

    private async Task<CliFleet> SeedOnceAsync()
    {
        var fleet = new CliFleet("cli-prod", "cli-dev", string.Empty);
        using var admin = CreateClient(AdminToken);
        string agentToken;
        using (var registered = await admin.PostJsonAsync("/api/v1/clusters", new ClusterRegistration(fleet.Prod, "simulated", "us-east-1", "111122223333", SpendCapPerHour: 10)))
        {
            registered.EnsureSuccessStatusCode();
            agentToken = (await registered.ReadAsync<ClusterRegistrationResponse>()).AgentToken;
        }

        using (var registered = await admin.PostJsonAsync("/api/v1/clusters", new ClusterRegistration(fleet.Dev, "simulated", "us-west-2", "dev")))
        {
            registered.EnsureSuccessStatusCode();
        }

        using var agent = CreateClient(agentToken);
        var nodePool = new ClusterObject(ObjectKind.NodePool, $$$"""
            {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "{{{CliFleet.NodePool}}}"},
             "spec": {"template": {"spec": {
               "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
               "requirements": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
                                {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]}]
             } } } }
            """);
        using (var synced = await agent.PutJsonAsync($"/api/v1/clusters/{fleet.Prod}/state", ApiJson.Snapshot(nodePool, ApiJson.PendingPod("web-0", "500m", "1Gi"), ApiJson.PendingPod("web-1", "500m", "1Gi"), ApiJson.PendingPod(CliFleet.HugePod, "5000", "1Gi"))))
        {
            synced.EnsureSuccessStatusCode();
            var result = await synced.ReadAsync<SyncResult>();
            if (result.Errors.Count > 0)
            {
                throw new InvalidOperationException("seeding the CLI fleet: " + string.Join("; ", result.Errors));
            }
        }

        // Polled through karpo itself, so the wait does not depend on the API's list envelopes.
        using var karpo = new KarpoFleet(Server.CreateHandler(), TimeProvider.System);
        karpo.Variables["KARPO_SERVER"] = "http://localhost";
        karpo.Variables["KARPO_TOKEN"] = ReadToken;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            FleetCliRun[] runs = [karpo.Run("nodeclaims", "--cluster", fleet.Prod, "-o", "json"), karpo.Run("capacity", "-o", "json"), karpo.Run("pending", "--cluster", fleet.Prod, "-o", "json")];
            var claims = Parse<NodeClaimInfo[]>(runs[0]);
            var capacity = Parse<CapacityRow[]>(runs[1]);
            var pending = Parse<FleetPendingPod[]>(runs[2]);
            if (claims?.Length > 0 && claims.All(c => c.Phase != NodeClaimPhase.Pending) &&
                capacity?.Any(r => r.Group.GetValueOrDefault("cluster") == fleet.Prod) == true &&
                pending?.Any(p => p.Name == CliFleet.HugePod && p.Reason.Length > 0) == true)
            {
                return fleet with { ProdAgentToken = agentToken };
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the silo did not launch node claims for {fleet.Prod} within 90 s; last answers:\n" + string.Join("\n", runs.Select(r => r.All)));
            }

            await Task.Delay(100);
        }

        static T? Parse<T>(FleetCliRun run) => run.ExitCode == 0 ? JsonSerializer.Deserialize<T>(run.Stdout, FleetJson.Options) : default;
    }

    // The compiler records this file's path, which lies inside the checkout wherever the binaries end up.
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(sourceFile)!); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Karpenter.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Karpenter.Orleans.sln above {sourceFile}");
    }
}

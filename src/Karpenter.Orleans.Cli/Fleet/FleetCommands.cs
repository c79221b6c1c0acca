using System.CommandLine;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Commands;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The fleet commands (<c>clusters</c>, <c>capacity</c>, <c>nodeclaims</c>, <c>pending</c>, <c>cost</c>, <c>explain</c>,
/// <c>nodeclasses</c>): read-only
/// GETs of the service's API, printed as tables or, with <c>-o json</c>, as the API's records.
/// </summary>
internal static class FleetCommands
{
    public static IEnumerable<Command> Create(TextWriter stdout, TextWriter stderr, FleetEnvironment environment) =>
    [
        Clusters(stdout, stderr, environment),
        Capacity(stdout, stderr, environment),
        NodeClaims(stdout, stderr, environment),
        Pending(stdout, stderr, environment),
        Cost(stdout, stderr, environment),
        Explain(stdout, stderr, environment),
        NodeClasses(stdout, stderr, environment),
    ];

    private static Command Clusters(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions();
        var id = new Argument<string>("CLUSTER")
        {
            Description = "Show only this cluster.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("clusters", "List the clusters of the fleet: nodes, pods, pending pods, cost and agent.") { id };
        connection.AddTo(command);
        command.SetAction(parseResult => Execute(stderr, () =>
        {
            using var client = connection.Connect(parseResult, environment);
            var now = environment.Time.GetUtcNow();
            if (parseResult.GetValue(id) is { Length: > 0 } cluster)
            {
                var one = client.Get<ClusterStatus>($"api/v1/clusters/{Uri.EscapeDataString(cluster)}", "read clusters", cluster);
                Print(connection.Json(parseResult), one, () => FleetTables.Clusters([one], now, stdout), stdout);
            }
            else
            {
                var all = client.GetAll<ClusterStatus>("api/v1/clusters", "list clusters", cluster: null);
                Print(connection.Json(parseResult), all, () => FleetTables.Clusters(all, now, stdout), stdout);
            }
        }));
        return command;
    }

    private static Command Capacity(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions();
        var groupBy = new Option<string[]>("--group-by")
        {
            Description = $"Keys to group by, comma-separated or repeated: {CapacityGroupKeys.Allowed}.",
            HelpName = "KEY[,KEY...]",
            DefaultValueFactory = _ => [CapacityGroupKeys.Default],
            AllowMultipleArgumentsPerToken = false,
        };
        groupBy.Validators.Add(CapacityGroupKeys.Validate);
        var command = new Command("capacity", "Sum the fleet's nodes, cores, memory and $/hour by cluster, region, zone, instance type, capacity type or NodePool.")
        {
            groupBy,
        };
        connection.AddTo(command);
        command.SetAction(parseResult => Execute(stderr, () =>
        {
            // The validator has already rejected unknown keys, so Parse cannot return null here.
            var keys = CapacityGroupKeys.Parse(parseResult.GetValue(groupBy) ?? [], out _) ?? [CapacityGroupKeys.Default];
            using var client = connection.Connect(parseResult, environment);
            var rows = client.Get<CapacityRow[]>(
                $"api/v1/capacity?groupBy={Uri.EscapeDataString(string.Join(',', keys))}", "read capacity", cluster: null);
            Print(connection.Json(parseResult), rows, () => FleetTables.Capacity(rows, keys, stdout), stdout);
        }));
        return command;
    }

    private static Command NodeClaims(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions();
        var cluster = ClusterOption();
        var command = new Command("nodeclaims", "List NodeClaims: phase, instance, zone, capacity type, price, node and age.") { cluster };
        connection.AddTo(command);
        command.SetAction(parseResult => Execute(stderr, () =>
        {
            var id = parseResult.GetValue(cluster);
            using var client = connection.Connect(parseResult, environment);
            var claims = client.GetAll<NodeClaimInfo>(WithCluster("api/v1/nodeclaims", id), "list node claims", id);
            Print(connection.Json(parseResult), claims, () => FleetTables.NodeClaims(claims, environment.Time.GetUtcNow(), stdout), stdout);
        }));
        return command;
    }

    private static Command Pending(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions();
        var cluster = ClusterOption();
        var command = new Command("pending", "List pods waiting for capacity, how long they have waited and why.") { cluster };
        connection.AddTo(command);
        command.SetAction(parseResult => Execute(stderr, () =>
        {
            var id = parseResult.GetValue(cluster);
            using var client = connection.Connect(parseResult, environment);
            var pods = client.GetAll<FleetPendingPod>(WithCluster("api/v1/pending", id), "list pending pods", id);
            Print(connection.Json(parseResult), pods, () => FleetTables.Pending(pods, id, environment.Time.GetUtcNow(), stdout), stdout);
        }));
        return command;
    }

    private static Command Cost(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions();
        var command = new Command("cost", "Show the fleet's $/hour, running and committed, per cluster and against the spend caps.");
        connection.AddTo(command);
        command.SetAction(parseResult => Execute(stderr, () =>
        {
            using var client = connection.Connect(parseResult, environment);
            var cost = client.Get<FleetCost>("api/v1/cost", "read the fleet's cost", cluster: null);
            Print(connection.Json(parseResult), cost, () => FleetTables.Cost(cost, stdout), stdout);
        }));
        return command;
    }

    private static Command Explain(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions();
        var cluster = new Argument<string>("CLUSTER") { Description = "The cluster whose nodes to explain." };
        var node = new Argument<string>("NODE")
        {
            Description = "Show only this node.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("explain", "Say, per node, what the disruption planner would do now (delete, replace) or what blocks it.") { cluster, node };
        connection.AddTo(command);
        command.SetAction(parseResult => Execute(stderr, () =>
        {
            var id = parseResult.GetValue(cluster)!;
            var only = parseResult.GetValue(node) is { Length: > 0 } n ? n : null;
            using var client = connection.Connect(parseResult, environment);
            var explanation = client.Get<DisruptionExplanation>($"api/v1/clusters/{Uri.EscapeDataString(id)}/disruption", "explain disruption", id);
            if (only is not null && explanation.Nodes.All(r => r.Node != only))
            {
                throw new FleetException($"cluster '{id}' has no node '{only}'");
            }

            var shown = only is null ? explanation : explanation with { Nodes = explanation.Nodes.Where(r => r.Node == only).ToList() };
            Print(connection.Json(parseResult), shown, () => FleetTables.Disruption(shown, only, stdout), stdout);
        }));
        return command;
    }

    private static Command NodeClasses(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions();
        var cluster = new Argument<string>("CLUSTER") { Description = "The cluster whose node classes to list." };
        var name = new Argument<string>("NAME")
        {
            Description = "Show only this node class.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("nodeclasses", "List a cluster's node classes (EC2NodeClass) with what its provider resolved: subnets, security groups, AMIs, and why one is not ready.")
        {
            cluster,
            name,
        };
        connection.AddTo(command);
        command.SetAction(parseResult => Execute(stderr, () =>
        {
            var id = parseResult.GetValue(cluster)!;
            using var client = connection.Connect(parseResult, environment);
            var all = client.Get<NodeClassInfo[]>($"api/v1/clusters/{Uri.EscapeDataString(id)}/nodeclasses", "list node classes", id);
            if (parseResult.GetValue(name) is { Length: > 0 } only)
            {
                // Filtered here rather than asked by name: a 404 from the API would read as "no such cluster".
                var one = all.FirstOrDefault(n => n.Name == only) ?? throw new FleetException($"cluster '{id}' has no node class '{only}'");
                Print(connection.Json(parseResult), one, () => NodeClassTable.Write([one], id, stdout), stdout);
            }
            else
            {
                Print(connection.Json(parseResult), all, () => NodeClassTable.Write(all, id, stdout), stdout);
            }
        }));
        return command;
    }

    private static Option<string> ClusterOption() => new("--cluster")
    {
        Description = "Only this cluster (default: every cluster).",
        HelpName = "ID",
    };

    private static string WithCluster(string path, string? cluster) =>
        string.IsNullOrEmpty(cluster) ? path : $"{path}?cluster={Uri.EscapeDataString(cluster)}";

    private static void Print<T>(bool json, T value, Action table, TextWriter stdout)
    {
        if (json)
        {
            stdout.WriteLine(FleetJson.Write(value));
        }
        else
        {
            table();
        }
    }

    // Failures outside karpo are one line on stderr and exit 1, like bad input; anything else is left to
    // KarpoApp, which reports it as the bug it is (exit 3).
    private static int Execute(TextWriter stderr, Action run)
    {
        try
        {
            run();
            return ExitCodes.Success;
        }
        catch (FleetException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.ServiceError;
        }
    }
}

using System.CommandLine;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Cli.Commands;
using Karpenter.Orleans.Scheduling.Provisioning.Internal;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The fleet commands: the read-only views (<c>clusters</c>, <c>capacity</c>, <c>nodeclaims</c>, <c>nodepools</c>,
/// <c>pending</c>, <c>cost</c>, <c>explain</c>, <c>nodeclasses</c>) printed as tables or as the API's records in JSON or YAML, the admin
/// commands (<see cref="AdminCommands"/>) and <c>config</c> (<see cref="ConfigCommands"/>).
/// </summary>
internal static class FleetCommands
{
    public static IEnumerable<Command> Create(TextWriter stdout, TextWriter stderr, FleetEnvironment environment) =>
    [
        Clusters(stdout, stderr, environment),
        Capacity(stdout, stderr, environment),
        NodeClaims(stdout, stderr, environment),
        NodePools(stdout, stderr, environment),
        Pending(stdout, stderr, environment),
        Cost(stdout, stderr, environment),
        Explain(stdout, stderr, environment),
        NodeClasses(stdout, stderr, environment),
        .. AdminCommands.Create(stdout, stderr, environment),
        ConfigCommands.Create(stdout, stderr, environment),
    ];

    /// <summary>Failures outside karpo are one line on stderr and exit 1, like bad input; anything else is left to
    /// KarpoApp, which reports it as the bug it is (exit 3).</summary>
    public static int Execute(TextWriter stderr, Action run)
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

    public static async Task<int> ExecuteAsync(TextWriter stderr, Func<Task> run)
    {
        try
        {
            await run().ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (FleetException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return ExitCodes.ServiceError;
        }
    }

    private static Command Clusters(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment);
        var watch = new WatchOptions();
        var id = new Argument<string>("CLUSTER")
        {
            Description = "Show only this cluster.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("clusters", "List the clusters of the fleet: nodes, pods, pending pods, cost and agent.") { id };
        connection.AddTo(command);
        watch.AddTo(command);
        command.SetAction((parseResult, cancellation) => ExecuteAsync(stderr, async () =>
        {
            using var client = connection.Connect(parseResult);
            var style = connection.Style(parseResult);
            if (parseResult.GetValue(id) is { Length: > 0 } cluster)
            {
                ClusterStatus One() => client.Get<ClusterStatus>($"api/v1/clusters/{Uri.EscapeDataString(cluster)}", "read clusters", cluster);
                if (parseResult.GetValue(watch.Watch))
                {
                    await watch.RunAsync(parseResult, FleetListings.Clusters, style, () => [One()], environment, cancellation, stdout).ConfigureAwait(false);
                }
                else
                {
                    FleetPrinter.One(FleetListings.Clusters, One(), style, environment.Time.GetUtcNow(), stdout);
                }
            }
            else
            {
                await watch.RunAsync(
                    parseResult,
                    FleetListings.Clusters,
                    style,
                    () => client.GetAll<ClusterStatus>("api/v1/clusters", "list clusters", cluster: null),
                    environment,
                    cancellation,
                    stdout).ConfigureAwait(false);
            }
        }));
        return command;
    }

    private static Command Capacity(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment, names: false);
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
            using var client = connection.Connect(parseResult);
            var rows = client.Get<CapacityRow[]>(
                $"api/v1/capacity?groupBy={Uri.EscapeDataString(string.Join(',', keys))}", "read capacity", cluster: null);
            var style = connection.Style(parseResult);
            FleetPrinter.View(rows, style, () => FleetTables.Capacity(rows, keys, style.NoHeaders, stdout), stdout);
        }));
        return command;
    }

    private static Command NodeClaims(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment);
        var watch = new WatchOptions();
        var cluster = ClusterOption();
        var selector = SelectorOption();
        var command = new Command("nodeclaims", "List NodeClaims: phase, instance, zone, capacity type, price, node and age.") { cluster, selector };
        connection.AddTo(command);
        watch.AddTo(command);
        command.SetAction((parseResult, cancellation) => ExecuteAsync(stderr, async () =>
        {
            var id = parseResult.GetValue(cluster);
            var matcher = Selector(parseResult, selector);
            using var client = connection.Connect(parseResult);
            NodeClaimInfo[] Poll() => [.. client.GetAll<NodeClaimInfo>(WithCluster("api/v1/nodeclaims", id), "list node claims", id)
                .Where(c => matcher?.Matches(FleetLabels.Of(c)) ?? true)];
            await watch.RunAsync(parseResult, FleetListings.NodeClaims, connection.Style(parseResult), Poll, environment, cancellation, stdout).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command NodePools(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment);
        var watch = new WatchOptions();
        var cluster = ClusterOption();
        var selector = SelectorOption();
        var command = new Command("nodepools", "List NodePools: weight, whether the spec is valid, nodes, NodeClaims, usage against limits.") { cluster, selector };
        connection.AddTo(command);
        watch.AddTo(command);
        command.SetAction((parseResult, cancellation) => ExecuteAsync(stderr, async () =>
        {
            var id = parseResult.GetValue(cluster);
            var matcher = Selector(parseResult, selector);
            using var client = connection.Connect(parseResult);
            NodePoolStatus[] Poll()
            {
                // The API lists NodePools per cluster only; the fleet's are every registered cluster's in turn.
                var ids = string.IsNullOrEmpty(id)
                    ? client.GetAll<ClusterStatus>("api/v1/clusters", "list clusters", cluster: null).Select(c => c.ClusterId).ToArray()
                    : [id];
                return [.. ids
                    .SelectMany(c => client.Get<NodePoolStatus[]>($"api/v1/clusters/{Uri.EscapeDataString(c)}/nodepools", "list NodePools", c))
                    .Where(p => matcher?.Matches(FleetLabels.Of(p)) ?? true)];
            }

            await watch.RunAsync(parseResult, FleetListings.NodePools, connection.Style(parseResult), Poll, environment, cancellation, stdout).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Pending(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment);
        var watch = new WatchOptions();
        var cluster = ClusterOption();
        var command = new Command("pending", "List pods waiting for capacity, how long they have waited and why.") { cluster };
        connection.AddTo(command);
        watch.AddTo(command);
        command.SetAction((parseResult, cancellation) => ExecuteAsync(stderr, async () =>
        {
            var id = parseResult.GetValue(cluster);
            using var client = connection.Connect(parseResult);
            await watch.RunAsync(
                parseResult,
                FleetListings.Pending(id),
                connection.Style(parseResult),
                () => client.GetAll<FleetPendingPod>(WithCluster("api/v1/pending", id), "list pending pods", id),
                environment,
                cancellation,
                stdout).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Cost(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment, names: false);
        var command = new Command("cost", "Show the fleet's $/hour, running and committed, per cluster and against the spend caps.");
        connection.AddTo(command);
        command.SetAction(parseResult => Execute(stderr, () =>
        {
            using var client = connection.Connect(parseResult);
            var cost = client.Get<FleetCost>("api/v1/cost", "read the fleet's cost", cluster: null);
            var style = connection.Style(parseResult);
            FleetPrinter.View(cost, style, () => FleetTables.Cost(cost, style.NoHeaders, stdout), stdout);
        }));
        return command;
    }

    private static Command Explain(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment, names: false);
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
            using var client = connection.Connect(parseResult);
            var explanation = client.Get<DisruptionExplanation>($"api/v1/clusters/{Uri.EscapeDataString(id)}/disruption", "explain disruption", id);
            if (only is not null && explanation.Nodes.All(r => r.Node != only))
            {
                throw new FleetException($"cluster '{id}' has no node '{only}'");
            }

            var shown = only is null ? explanation : explanation with { Nodes = explanation.Nodes.Where(r => r.Node == only).ToList() };
            var style = connection.Style(parseResult);
            FleetPrinter.View(shown, style, () => FleetTables.Disruption(shown, only, style.NoHeaders, stdout), stdout);
        }));
        return command;
    }

    private static Command NodeClasses(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment, names: false);
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
            using var client = connection.Connect(parseResult);
            var style = connection.Style(parseResult);
            var all = client.Get<NodeClassInfo[]>($"api/v1/clusters/{Uri.EscapeDataString(id)}/nodeclasses", "list node classes", id);
            if (parseResult.GetValue(name) is { Length: > 0 } only)
            {
                // Filtered here rather than asked by name: a 404 from the API would read as "no such cluster".
                var one = all.FirstOrDefault(n => n.Name == only) ?? throw new FleetException($"cluster '{id}' has no node class '{only}'");
                FleetPrinter.View(one, style, () => NodeClassTable.Write([one], id, stdout), stdout);
            }
            else
            {
                FleetPrinter.View(all, style, () => NodeClassTable.Write(all, id, stdout), stdout);
            }
        }));
        return command;
    }

    private static Option<string> ClusterOption() => new("--cluster")
    {
        Description = "Only this cluster (default: every cluster).",
        HelpName = "ID",
    };

    private static Option<string> SelectorOption()
    {
        var option = new Option<string>("--selector", "-l")
        {
            Description = "Label selector, kubectl's syntax: k=v, k!=v, 'k in (a,b)', 'k notin (a,b)', k, !k; comma-separated, all must hold. " +
                "Matches the labels Karpenter gives the object: karpenter.sh/nodepool, node.kubernetes.io/instance-type, topology.kubernetes.io/zone, karpenter.sh/capacity-type.",
            HelpName = "SELECTOR",
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens is [var token])
            {
                try
                {
                    LabelSelectorParser.Parse(token.Value);
                }
                catch (FormatException ex)
                {
                    result.AddError($"-l '{token.Value}': {ex.Message}");
                }
            }
        });
        return option;
    }

    private static LabelSelectorMatcher? Selector(ParseResult parseResult, Option<string> selector) =>
        parseResult.GetValue(selector) is { Length: > 0 } text ? LabelSelectorParser.Parse(text) : null;

    private static string WithCluster(string path, string? cluster) =>
        string.IsNullOrEmpty(cluster) ? path : $"{path}?cluster={Uri.EscapeDataString(cluster)}";
}

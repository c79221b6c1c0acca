using System.CommandLine;
using System.Globalization;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The admin commands, each one request to an admin route of the API (they need the admin token: a context's
/// <c>adminToken</c> is preferred over its read token): <c>cluster register|remove</c>, <c>spend-cap set</c> and
/// <c>quota set</c>.
/// </summary>
internal static class AdminCommands
{
    private const string NoCap = "none";

    public static IEnumerable<Command> Create(TextWriter stdout, TextWriter stderr, FleetEnvironment environment) =>
    [
        new Command("cluster", "Register or remove a cluster (admin).")
        {
            Register(stdout, stderr, environment),
            Remove(stdout, stderr, environment),
        },
        new Command("spend-cap", "Set the fleet's or a cluster's spend cap (admin).")
        {
            SpendCap(stdout, stderr, environment),
        },
        new Command("quota", "Set an account's quota in a region (admin).")
        {
            Quota(stdout, stderr, environment),
        },
    ];

    private static Command Register(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment, names: false);
        var id = new Argument<string>("CLUSTER") { Description = "The cluster's id (lowercase letters, digits and '-')." };
        var provider = new Option<string>("--provider") { Description = "Where its capacity is bought: aws or simulated.", Required = true, HelpName = "PROVIDER" };
        var region = new Option<string>("--region") { Description = "The cloud region, e.g. us-east-1.", Required = true, HelpName = "REGION" };
        var account = new Option<string>("--account") { Description = "The cloud account the capacity is bought in.", Required = true, HelpName = "ACCOUNT" };
        var cap = new Option<double?>("--spend-cap") { Description = "The cluster's spend cap in $/hour (default: none).", HelpName = "$/H" };
        var displayName = new Option<string>("--display-name") { Description = "A name for people (up to 256 characters).", HelpName = "TEXT" };
        var output = FleetOutput.CreateOption(names: false);
        var command = new Command(
            "register",
            "Register a cluster (or register it again, which replaces its agent token) and print its agent token. The token is shown this once; the service keeps only its digest.")
        {
            id, provider, region, account, cap, displayName, output,
        };
        connection.AddTo(command, output: false);
        command.SetAction(parseResult => FleetCommands.Execute(stderr, () =>
        {
            var cluster = parseResult.GetValue(id)!;
            var registration = new ClusterRegistration(
                cluster, parseResult.GetValue(provider)!, parseResult.GetValue(region)!, parseResult.GetValue(account)!, parseResult.GetValue(cap), parseResult.GetValue(displayName));
            using var client = connection.Connect(parseResult, admin: true);
            var answer = client.Post<ClusterRegistrationResponse>("api/v1/clusters", registration, "register clusters", cluster: null);
            var style = new OutputStyle(parseResult.GetValue(output) ?? FleetOutput.Table, NoHeaders: false);
            FleetPrinter.View(answer, style, () =>
            {
                var c = answer.Cluster;
                stdout.WriteLine($"cluster/{c.ClusterId} registered: provider {c.Provider}, region {c.Region}, account {c.Account}, spend cap {Cap(c.SpendCapPerHour)}");
                stdout.WriteLine("Agent token (shown once; give it to the cluster's agent now, the service keeps only its digest):");
                stdout.WriteLine(answer.AgentToken);
            }, stdout);
        }));
        return command;
    }

    private static Command Remove(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment, names: false);
        var id = new Argument<string>("CLUSTER") { Description = "The cluster to remove." };
        var command = new Command(
            "remove",
            "Remove a cluster's registration. Its instances are not terminated: terminate them first, or register the cluster again.")
        {
            id,
        };
        connection.AddTo(command, output: false);
        command.SetAction(parseResult => FleetCommands.Execute(stderr, () =>
        {
            var cluster = parseResult.GetValue(id)!;
            using var client = connection.Connect(parseResult, admin: true);
            client.Delete($"api/v1/clusters/{Uri.EscapeDataString(cluster)}", "remove clusters", cluster);
            stdout.WriteLine($"cluster/{cluster} removed");
        }));
        return command;
    }

    private static Command SpendCap(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment, names: false);
        var price = new Argument<string>("PRICE") { Description = $"The cap in $/hour, or '{NoCap}' to remove it." };
        price.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && !TryCap(token.Value, out _))
            {
                result.AddError($"PRICE '{token.Value}' is not a number of dollars per hour ≥ 0 or '{NoCap}'.");
            }
        });
        var cluster = new Option<string>("--cluster") { Description = "The cluster whose cap to set (default: the fleet's cap).", HelpName = "ID" };
        var command = new Command("set", "Set the spend cap in $/hour: the fleet's, or with --cluster one cluster's. Launches that would pass it are refused.")
        {
            price, cluster,
        };
        connection.AddTo(command, output: false);
        command.SetAction(parseResult => FleetCommands.Execute(stderr, () =>
        {
            TryCap(parseResult.GetValue(price)!, out var cap);
            var id = parseResult.GetValue(cluster) is { Length: > 0 } c ? c : null;
            using var client = connection.Connect(parseResult, admin: true);
            var body = new SpendCapRequest(cap);
            if (id is null)
            {
                client.Put("api/v1/fleet/spend-cap", body, "set the fleet's spend cap", cluster: null);
                stdout.WriteLine($"fleet spend cap: {Cap(cap)}");
            }
            else
            {
                client.Put($"api/v1/clusters/{Uri.EscapeDataString(id)}/spend-cap", body, "set spend caps", id);
                stdout.WriteLine($"cluster/{id} spend cap: {Cap(cap)}");
            }
        }));
        return command;
    }

    private static Command Quota(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var connection = new ConnectionOptions(environment, names: false);
        var provider = new Argument<string>("PROVIDER") { Description = "The provider: aws or simulated." };
        var account = new Argument<string>("ACCOUNT") { Description = "The cloud account." };
        var region = new Argument<string>("REGION") { Description = "The region." };
        var code = new Argument<string>("QUOTA_CODE") { Description = "The quota, e.g. AWS's L-1216C47A (running on-demand standard instances)." };
        var vcpus = new Option<int>("--vcpus") { Description = "The limit in vCPUs (≥ 0).", Required = true, HelpName = "N" };
        vcpus.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--vcpus must be ≥ 0.");
            }
        });
        var command = new Command("set", "Set the vCPU limit of one quota of an account in a region; launches that would pass it wait.")
        {
            provider, account, region, code, vcpus,
        };
        connection.AddTo(command, output: false);
        command.SetAction(parseResult => FleetCommands.Execute(stderr, () =>
        {
            string[] segments = [parseResult.GetValue(provider)!, parseResult.GetValue(account)!, parseResult.GetValue(region)!, parseResult.GetValue(code)!];
            var limit = parseResult.GetValue(vcpus);
            using var client = connection.Connect(parseResult, admin: true);
            client.Put($"api/v1/quotas/{string.Join('/', segments.Select(Uri.EscapeDataString))}", new { vcpus = limit }, "set quotas", cluster: null);
            stdout.WriteLine($"quota {string.Join('/', segments)}: {limit.ToString(CultureInfo.InvariantCulture)} vCPUs");
        }));
        return command;
    }

    private static bool TryCap(string text, out double? cap)
    {
        if (string.Equals(text, NoCap, StringComparison.OrdinalIgnoreCase))
        {
            cap = null;
            return true;
        }

        var ok = double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value);
        cap = ok ? value : null;
        return ok;
    }

    private static string Cap(double? cap) => cap is { } c ? $"${FleetFormat.Price(c)}/hour" : NoCap;
}

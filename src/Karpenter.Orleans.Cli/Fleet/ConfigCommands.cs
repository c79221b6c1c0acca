using System.CommandLine;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// <c>karpo config get-contexts|current-context|use-context|set-context</c>: the contexts of the client config file
/// (<see cref="ClientConfigFile"/>), kubectl's commands for its kubeconfig. Tokens are never printed in full.
/// </summary>
internal static class ConfigCommands
{
    private static readonly FleetListing<ContextView> Listing = new()
    {
        Kind = "context",
        Name = c => c.Name,
        Sort = all => all,
        Headers = ["CURRENT", "NAME", "SERVER", "TOKEN", "ADMIN TOKEN"],
        Cells = (c, _) => [c.Current ? "*" : "", c.Name, FleetFormat.Text(c.Server), c.Token, c.AdminToken],
        Empty = () => "No contexts: start the service (it writes the default context) or add one with `karpo config set-context NAME --server URL --token TOKEN`.",
    };

    public static Command Create(TextWriter stdout, TextWriter stderr, FleetEnvironment environment) =>
        new("config", "Show and change the contexts of the client config file (server and tokens per context).")
        {
            GetContexts(stdout, stderr, environment),
            CurrentContext(stdout, stderr, environment),
            UseContext(stdout, stderr, environment),
            SetContext(stdout, stderr, environment),
        };

    private static Command GetContexts(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var output = FleetOutput.CreateOption(names: true);
        var noHeaders = FleetOutput.CreateNoHeadersOption();
        var command = new Command("get-contexts", "List the contexts; * marks the current one. Tokens are masked.") { output, noHeaders };
        command.SetAction(parseResult => FleetCommands.Execute(stderr, () =>
        {
            var file = ClientConfigFile.Read(FleetEndpoint.ConfigPathOf(environment));
            var current = file.CurrentContext;
            var views = file.Contexts.Select(c => ContextView.Of(c, current)).ToList();
            var style = new OutputStyle(parseResult.GetValue(output) ?? FleetOutput.Table, parseResult.GetValue(noHeaders));
            FleetPrinter.List(Listing, views, style, environment.Time.GetUtcNow(), stdout);
        }));
        return command;
    }

    private static Command CurrentContext(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var command = new Command("current-context", "Print the name of the current context.");
        command.SetAction(_ => FleetCommands.Execute(stderr, () =>
        {
            var file = ClientConfigFile.Read(FleetEndpoint.ConfigPathOf(environment));
            stdout.WriteLine(file.CurrentContext ?? throw new FleetException($"no current context: {file.Path} has no contexts; add one with `karpo config set-context NAME --server URL --token TOKEN`"));
        }));
        return command;
    }

    private static Command UseContext(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var name = ContextArgument(environment);
        var command = new Command("use-context", "Make a context the current one: fleet commands use it when --context is not given.") { name };
        command.SetAction(parseResult => FleetCommands.Execute(stderr, () =>
        {
            var file = ClientConfigFile.Read(FleetEndpoint.ConfigPathOf(environment));
            var context = parseResult.GetValue(name)!;
            file.Use(context);
            file.Save();
            stdout.WriteLine($"Switched to context \"{context}\".");
        }));
        return command;
    }

    private static Command SetContext(TextWriter stdout, TextWriter stderr, FleetEnvironment environment)
    {
        var name = ContextArgument(environment);
        var server = new Option<string>("--server") { Description = "The context's server URL (http:// or https://).", HelpName = "URL" };
        server.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && FleetEndpoint.ParseServer(token.Value) is null)
            {
                result.AddError($"--server '{token.Value}' is not an http:// or https:// URL.");
            }
        });
        var token = new Option<string>("--token") { Description = "The context's token (read or admin).", HelpName = "TOKEN" };
        var adminToken = new Option<string>("--admin-token") { Description = "The context's admin token, which the admin commands send.", HelpName = "TOKEN" };
        var command = new Command(
            "set-context",
            $"Add a context, or change the fields given of an existing one. '{KarpoContext.DefaultName}' is the file's top-level server and tokens, the ones the silo writes.")
        {
            name, server, token, adminToken,
        };
        command.SetAction(parseResult => FleetCommands.Execute(stderr, () =>
        {
            var file = ClientConfigFile.Read(FleetEndpoint.ConfigPathOf(environment));
            var context = parseResult.GetValue(name)!;
            var exists = file.Find(context) is not null;
            file.Set(context, parseResult.GetValue(server)?.Trim(), parseResult.GetValue(token)?.Trim(), parseResult.GetValue(adminToken)?.Trim());
            file.Save();
            stdout.WriteLine($"Context \"{context}\" {(exists ? "modified" : "created")}.");
        }));
        return command;
    }

    private static Argument<string> ContextArgument(FleetEnvironment environment)
    {
        var argument = new Argument<string>("NAME") { Description = "The context's name." };
        argument.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && (token.Value.Trim().Length == 0 || token.Value.Any(char.IsWhiteSpace)))
            {
                result.AddError($"context name '{token.Value}' must be non-empty, without spaces.");
            }
        });
        argument.CompletionSources.Add(_ => ConnectionOptions.ContextNames(environment));
        return argument;
    }
}

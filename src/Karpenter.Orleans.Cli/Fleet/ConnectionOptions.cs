using System.CommandLine;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>
/// The options every fleet command has: where the service is (<c>--server</c>, or a <c>--context</c> of the config
/// file), the token, and how to print (<c>-o</c>, <c>--no-headers</c>).
/// </summary>
internal sealed class ConnectionOptions
{
    private readonly FleetEnvironment _environment;

    /// <param name="environment">Where the config file is, for completing <c>--context</c>.</param>
    /// <param name="names">Whether the command lists named objects (so <c>-o name</c> applies).</param>
    public ConnectionOptions(FleetEnvironment environment, bool names = true)
    {
        _environment = environment;
        Server = new Option<string>(FleetEndpoint.ServerFlag)
        {
            Description = $"URL of the karpo service (default: the context's server, else ${FleetEndpoint.ServerVariable}).",
            HelpName = "URL",
        };
        Server.Validators.Add(result =>
        {
            if (result.Tokens is [var token] && FleetEndpoint.ParseServer(token.Value) is null)
            {
                result.AddError($"--server '{token.Value}' is not an http:// or https:// URL.");
            }
        });
        Token = new Option<string>(FleetEndpoint.TokenFlag)
        {
            Description = $"Bearer token (default: the context's token, else ${FleetEndpoint.TokenVariable}).",
            HelpName = "TOKEN",
        };
        Context = new Option<string>(FleetEndpoint.ContextFlag)
        {
            Description = "The context of the config file to use (default: its current context); see `karpo config get-contexts`.",
            HelpName = "NAME",
        };
        Context.CompletionSources.Add(_ => ContextNames(environment));
        Output = FleetOutput.CreateOption(names);
        NoHeaders = FleetOutput.CreateNoHeadersOption();
    }

    public Option<string> Server { get; }

    public Option<string> Token { get; }

    public Option<string> Context { get; }

    public Option<string> Output { get; }

    public Option<bool> NoHeaders { get; }

    public void AddTo(Command command, bool output = true)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(Context);
        if (output)
        {
            command.Options.Add(Output);
            command.Options.Add(NoHeaders);
        }
    }

    public OutputStyle Style(ParseResult parseResult) =>
        new(parseResult.GetValue(Output) ?? FleetOutput.Table, parseResult.GetValue(NoHeaders));

    /// <summary>A client for the resolved server and token; <paramref name="admin"/> prefers the context's admin token.</summary>
    public FleetClient Connect(ParseResult parseResult, bool admin = false)
    {
        var endpoint = FleetEndpoint.Resolve(parseResult.GetValue(Server), parseResult.GetValue(Token), parseResult.GetValue(Context), admin, _environment);
        return new FleetClient(endpoint, _environment.Handler);
    }

    /// <summary>The config file's context names; nothing when it cannot be read (completion never fails loudly).</summary>
    public static IEnumerable<string> ContextNames(FleetEnvironment environment)
    {
        try
        {
            return ClientConfigFile.Read(FleetEndpoint.ConfigPathOf(environment)).Contexts.Select(c => c.Name).ToList();
        }
        catch (FleetException)
        {
            return [];
        }
    }
}

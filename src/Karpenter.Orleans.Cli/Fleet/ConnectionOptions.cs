using System.CommandLine;
using Karpenter.Orleans.Cli.Commands;

namespace Karpenter.Orleans.Cli.Fleet;

/// <summary>The options every fleet command has: where the service is, the token, and the output format.</summary>
internal sealed class ConnectionOptions
{
    public ConnectionOptions()
    {
        Server = new Option<string>(FleetEndpoint.ServerFlag)
        {
            Description = $"URL of the karpo service (default: ${FleetEndpoint.ServerVariable}, then the config file).",
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
            Description = $"Bearer token (default: ${FleetEndpoint.TokenVariable}, then the config file).",
            HelpName = "TOKEN",
        };
        Output = OutputFormats.CreateOption();
    }

    public Option<string> Server { get; }

    public Option<string> Token { get; }

    public Option<string> Output { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(Output);
    }

    public bool Json(ParseResult parseResult) => parseResult.GetValue(Output) == OutputFormats.Json;

    public FleetClient Connect(ParseResult parseResult, FleetEnvironment environment)
    {
        var endpoint = FleetEndpoint.Resolve(parseResult.GetValue(Server), parseResult.GetValue(Token), environment);
        return new FleetClient(endpoint, environment.Handler);
    }
}

using Karpenter.Orleans.Agent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
var options = builder.Configuration.GetSection(AgentOptions.Section).Get<AgentOptions>() ?? new AgentOptions();
var lease = builder.Configuration.GetSection(LeaseLeadershipOptions.Section).Get<LeaseLeadershipOptions>() ?? new LeaseLeadershipOptions();
var errors = options.Validate().Concat(lease.Validate()).ToList();
if (errors.Count > 0)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine($"karpo-agent: {error}");
    }

    return 2;
}

builder.Services.AddKarpoAgent(builder.Configuration);
using var host = builder.Build();
await host.RunAsync();
return 0;

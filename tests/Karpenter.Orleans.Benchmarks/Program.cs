using BenchmarkDotNet.Running;
using Karpenter.Orleans.Benchmarks;
using Karpenter.Orleans.Benchmarks.Service;

if (args is ["quick", .. var names])
{
    return QuickRun.Run(names, Console.Out);
}

if (args is ["agent-memory", .. var agentArgs])
{
    // The agent holding one large cluster: agent-memory [nodes] [pods per node], 5,000 x 10 by default.
    var nodes = agentArgs is [var n, ..] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 5_000;
    var perNode = agentArgs is [_, var p, ..] ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : 10;
    return AgentMemoryFigure.Run(nodes, perNode, Console.Out);
}

if (args is ["service", .. var serviceArgs])
{
    return await ServiceRun.RunAsync(serviceArgs, Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(SchedulingBenchmarks).Assembly).Run(args, ShortRunConfig.For(args));
return 0;

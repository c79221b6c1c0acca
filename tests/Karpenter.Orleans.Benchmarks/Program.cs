using BenchmarkDotNet.Running;
using Karpenter.Orleans.Benchmarks;
using Karpenter.Orleans.Benchmarks.Service;

if (args is ["quick", .. var names])
{
    return QuickRun.Run(names, Console.Out);
}

if (args is ["service", .. var serviceArgs])
{
    return await ServiceRun.RunAsync(serviceArgs, Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(SchedulingBenchmarks).Assembly).Run(args, ShortRunConfig.For(args));
return 0;

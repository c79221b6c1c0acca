using BenchmarkDotNet.Running;
using Karpenter.Orleans.Benchmarks;

if (args is ["quick", .. var names])
{
    return QuickRun.Run(names, Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(SchedulingBenchmarks).Assembly).Run(args, ShortRunConfig.For(args));
return 0;

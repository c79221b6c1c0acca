using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>The solver with its default options.</summary>
internal sealed class DefaultProvisioningSolver : IProvisioningSolver
{
    public SchedulingResult Solve(SchedulingInput input) => ProvisioningSolver.Solve(input, SolverOptions.Default);
}

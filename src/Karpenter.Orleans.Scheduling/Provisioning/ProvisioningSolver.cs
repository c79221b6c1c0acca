namespace Karpenter.Orleans.Scheduling.Provisioning;

/// <summary>Entry point of the provisioning solver: pending pods in, planned NodeClaims out.</summary>
public static class ProvisioningSolver
{
    public static SchedulingResult Solve(SchedulingInput input, SolverOptions? options = null) =>
        throw new NotImplementedException("solver not yet implemented");
}

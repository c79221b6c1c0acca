using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// The solve a cluster grain's provisioning run makes: <see cref="ProvisioningSolver"/>, unless a test puts
/// in one that fails on purpose to show that one bad pod is quarantined and the rest still provision.
/// </summary>
public interface IProvisioningSolver
{
    SchedulingResult Solve(SchedulingInput input);
}

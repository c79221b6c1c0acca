using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>A stand-in fleet grain that records registrations and can fail the first ones, as a starting silo does.</summary>
internal sealed class RecordingFleetGrain : IFleetGrain
{
    private readonly Lock _sync = new();

    public List<(ClusterRegistration Registration, string TokenSha256)> Registrations { get; } = [];

    /// <summary>How many more registration calls fail.</summary>
    public int FailuresLeft { get; set; }

    public Task<RegisteredCluster> RegisterClusterAsync(ClusterRegistration registration, string agentTokenSha256)
    {
        lock (_sync)
        {
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new InvalidOperationException("silo not ready");
            }

            Registrations.Add((registration, agentTokenSha256));
            return Task.FromResult(new RegisteredCluster(registration, agentTokenSha256, DateTimeOffset.UnixEpoch));
        }
    }

    public Task<bool> UnregisterClusterAsync(string clusterId) => throw new NotSupportedException();

    public Task<IReadOnlyList<RegisteredCluster>> GetClustersAsync() => throw new NotSupportedException();

    public Task<string?> FindClusterByTokenAsync(string agentTokenSha256) => throw new NotSupportedException();

    public Task ReportCapacityAsync(ClusterCapacityReport report) => Task.CompletedTask;

    public Task<IReadOnlyList<CapacityRow>> GetCapacityAsync(IReadOnlyList<string> groupBy) => throw new NotSupportedException();

    public Task<FleetCost> GetCostAsync() => throw new NotSupportedException();

    public Task SetSpendCapAsync(double? pricePerHour) => throw new NotSupportedException();

    public Task<SpendDecision> TryReserveSpendAsync(string clusterId, string nodeClaim, double pricePerHour) => throw new NotSupportedException();

    public Task<IReadOnlyList<SpendDecision>> TryReserveSpendAsync(string clusterId, IReadOnlyList<SpendRequest> requests) => throw new NotSupportedException();

    public Task ReleaseSpendAsync(string clusterId, string nodeClaim) => throw new NotSupportedException();
}

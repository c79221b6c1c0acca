using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>A hand-driven cloud: tests add instances and move them through their states.</summary>
internal sealed class TestCloud(TimeProvider time) : ICloudProvider
{
    public const string Region = "test-1";

    private readonly Dictionary<string, CloudInstance> _instances = new(StringComparer.Ordinal);
    private int _next;

    public static InstanceTypeCatalog Catalog { get; } = new(
        ["test-1a", "test-1b"],
        [
            Type("m5.large", "amd64", "2", "8Gi", "1930m", "7Gi"),
            Type("m6g.large", "arm64", "2", "8Gi", "1930m", "7Gi"),
            Type("c5.xlarge", "amd64", "4", "8Gi", "3920m", "7Gi"),
        ],
        Region);

    public string Name => "test";

    /// <summary>Set to play a provider that launches with node classes (the aws provider's EC2NodeClass).</summary>
    public NodeClassType? NodeClasses { get; set; }

    public bool FailList { get; set; }

    public int ListCalls { get; private set; }

    /// <summary>Released once per ListAsync call: a tick has happened (no sleeping to find out).</summary>
    public SemaphoreSlim Listed { get; } = new(0);

    public CloudInstance Add(
        string clusterId,
        string type = "m5.large",
        string zone = "test-1a",
        string capacityType = "on-demand",
        CloudInstanceState state = CloudInstanceState.Running,
        string nodePool = "default",
        IReadOnlyDictionary<string, string>? tags = null)
    {
        var id = $"i-{++_next:x17}";
        var instance = new CloudInstance(id, $"aws:///{zone}/{id}", Region, zone, type, capacityType, 0.1, state, time.GetUtcNow(),
            clusterId, $"{nodePool}-claim{_next}", nodePool, tags ?? new Dictionary<string, string>());
        _instances[id] = instance;
        return instance;
    }

    public void SetState(string id, CloudInstanceState state) => _instances[id] = _instances[id] with { State = state };

    public void Remove(string id) => _instances.Remove(id);

    public Task<InstanceTypeCatalog> GetInstanceTypesAsync(string region, CancellationToken cancellationToken = default) => Task.FromResult(Catalog);

    public Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<CloudInstance?> GetAsync(string region, string instanceId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_instances.GetValueOrDefault(instanceId));

    public Task<IReadOnlyList<CloudInstance>> ListAsync(string region, string clusterId, CancellationToken cancellationToken = default)
    {
        ListCalls++;
        Listed.Release();
        if (FailList)
        {
            throw new CloudProviderException(CloudErrorCode.Throttled, "slow down");
        }

        IReadOnlyList<CloudInstance> list = [.. _instances.Values.Where(i => i.Region == region && i.ClusterId == clusterId && i.State != CloudInstanceState.Terminated)];
        return Task.FromResult(list);
    }

    public Task TerminateAsync(string region, string instanceId, CancellationToken cancellationToken = default)
    {
        if (_instances.ContainsKey(instanceId))
        {
            SetState(instanceId, CloudInstanceState.ShuttingDown);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CloudInterruption>> ReceiveInterruptionsAsync(string region, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<CloudInterruption>>([]);

    private static InstanceType Type(string name, string arch, string cpu, string memory, string allocCpu, string allocMemory)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [WellKnownLabels.Arch] = arch,
            [WellKnownLabels.Os] = "linux",
            ["karpenter.k8s.aws/instance-family"] = name.Split('.')[0],
        };
        var capacity = ResourceVector.Parse(new Dictionary<string, string> { ["cpu"] = cpu, ["memory"] = memory, ["pods"] = "29" });
        var allocatable = ResourceVector.Parse(new Dictionary<string, string> { ["cpu"] = allocCpu, ["memory"] = allocMemory, ["pods"] = "29" });
        Offering[] offerings =
        [
            new("test-1a", CapacityTypes.OnDemand, 0.1), new("test-1b", CapacityTypes.OnDemand, 0.1),
            new("test-1a", CapacityTypes.Spot, 0.04), new("test-1b", CapacityTypes.Spot, 0.04),
        ];
        return new InstanceType(name, labels, capacity, allocatable, offerings);
    }
}

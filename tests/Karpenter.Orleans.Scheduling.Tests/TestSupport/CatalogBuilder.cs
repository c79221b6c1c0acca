using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Resources;

namespace Karpenter.Orleans.Scheduling.Tests.TestSupport;

/// <summary>Builds a catalog of fake instance types. Types without explicit offerings are on-demand in every zone.</summary>
public sealed class CatalogBuilder
{
    private readonly List<string> _zones;
    private readonly List<InstanceTypeBuilder> _types = [];

    public CatalogBuilder(params string[] zones) => _zones = zones.Length == 0 ? ["zone-a"] : [.. zones];

    public IReadOnlyList<string> Zones => _zones;

    public CatalogBuilder Type(string name, string cpu, string memory, double price, Action<InstanceTypeBuilder>? configure = null)
    {
        var t = new InstanceTypeBuilder(name, cpu, memory, price);
        configure?.Invoke(t);
        _types.Add(t);
        return this;
    }

    public CatalogBuilder Type(InstanceTypeBuilder type)
    {
        _types.Add(type);
        return this;
    }

    public InstanceTypeCatalog Build() => new(_zones, [.. _types.Select(t => t.Build(_zones))]);
}

/// <summary>One fake instance type: allocatable cpu/memory/pods, labels, offerings.</summary>
public sealed class InstanceTypeBuilder
{
    private readonly string _name;
    private readonly Dictionary<string, string> _labels = [];
    private readonly List<Offering> _offerings = [];
    private string _cpu;
    private string _memory;
    private string _pods = "110";
    private string? _capacityCpu;
    private string? _capacityMemory;
    private double _price;

    public InstanceTypeBuilder(string name, string cpu, string memory, double price)
    {
        _name = name;
        _cpu = cpu;
        _memory = memory;
        _price = price;
    }

    public InstanceTypeBuilder Label(string key, string value)
    {
        _labels[key] = value;
        return this;
    }

    public InstanceTypeBuilder Pods(int pods)
    {
        _pods = pods.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return this;
    }

    public InstanceTypeBuilder Allocatable(string cpu, string memory)
    {
        _cpu = cpu;
        _memory = memory;
        return this;
    }

    /// <summary>Whole-machine capacity (what NodePool limits count); defaults to allocatable.</summary>
    public InstanceTypeBuilder Capacity(string cpu, string memory)
    {
        _capacityCpu = cpu;
        _capacityMemory = memory;
        return this;
    }

    public InstanceTypeBuilder Price(double onDemand)
    {
        _price = onDemand;
        return this;
    }

    public InstanceTypeBuilder Offering(string zone, string capacityType, double price, bool available = true)
    {
        _offerings.Add(new Offering(zone, capacityType, price, available));
        return this;
    }

    public InstanceTypeBuilder OnDemand(double price, params string[] zones)
    {
        foreach (var z in zones)
        {
            Offering(z, CapacityTypes.OnDemand, price);
        }

        return this;
    }

    public InstanceTypeBuilder Spot(double price, params string[] zones)
    {
        foreach (var z in zones)
        {
            Offering(z, CapacityTypes.Spot, price);
        }

        return this;
    }

    public InstanceType Build(IReadOnlyList<string> zones)
    {
        var offerings = _offerings.Count > 0
            ? [.. _offerings]
            : zones.Select(z => new Offering(z, CapacityTypes.OnDemand, _price)).ToList();
        var allocatable = Resources(_cpu, _memory, _pods);
        var capacity = Resources(_capacityCpu ?? _cpu, _capacityMemory ?? _memory, _pods);
        return new InstanceType(_name, _labels, capacity, allocatable, offerings);
    }

    private static ResourceVector Resources(string cpu, string memory, string pods) =>
        ResourceVector.Parse(new Dictionary<string, string>
        {
            [ResourceNames.Cpu] = cpu,
            [ResourceNames.Memory] = memory,
            [ResourceNames.Pods] = pods,
        });
}

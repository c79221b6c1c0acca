using System.Globalization;
using System.Runtime.InteropServices;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Model;
using Karpenter.Orleans.Scheduling.Provisioning;

namespace Karpenter.Orleans.Scheduling.Workloads;

/// <summary>
/// Generated fleets, deterministic by seed, that vary what real fleets vary: spot prices per type and zone
/// (with zone-wide and family-wide swings), spot offerings that are unavailable, CPU-heavy and
/// memory-heavy services, arch and capacity-type selectors, zonal spreads, a one-per-node service,
/// DaemonSets (one of them amd64 only), a tainted on-demand tier and a GPU pool. The catalog is the shipped
/// one (its types, allocatable and on-demand prices) with the seed's spot prices.
/// </summary>
public static class FleetWorkload
{
    private static readonly NodeClassReference NodeClass = new("karpenter.k8s.aws", "EC2NodeClass", "default");

    // CPU requests services typically ask for, in millicores; repeated entries are more likely.
    private static readonly int[] CpuChoices = [100, 250, 250, 500, 500, 1000, 1000, 1000, 2000, 2000, 4000, 4000, 8000];

    /// <summary>
    /// The catalog's types with the seed's offerings: on-demand as shipped (available in every zone), spot
    /// at on-demand × a fraction drawn per (type, zone) in [0.22, 0.72), scaled by a swing per zone
    /// (±12%) and per family (±15%) and kept within [0.15, 0.90]; a spot offering is unavailable with a
    /// probability the seed picks in [0.08, 0.30), and a family's spot is out in a zone with 6%.
    /// </summary>
    public static InstanceTypeCatalog Catalog(InstanceTypeCatalog shipped, int seed)
    {
        ArgumentNullException.ThrowIfNull(shipped);
        var unavailable = 0.08 + (0.22 * Unit(seed, "unavailable"));
        var zoneSwing = shipped.Zones.ToDictionary(z => z, z => 0.88 + (0.24 * Unit(seed, "zone", z)), StringComparer.Ordinal);
        var types = new List<InstanceType>(shipped.InstanceTypes.Count);
        foreach (var type in shipped.InstanceTypes)
        {
            var onDemand = type.Offerings.Where(o => o.CapacityType == CapacityTypes.OnDemand).ToList();
            if (onDemand.Count == 0)
            {
                types.Add(type);
                continue;
            }

            var family = type.Labels.GetValueOrDefault("karpenter.k8s.aws/instance-family") ?? type.Name;
            var familySwing = 0.85 + (0.30 * Unit(seed, "family", family));
            var offerings = new List<Offering>();
            foreach (var o in onDemand)
            {
                offerings.Add(o with { Available = true });
            }

            foreach (var o in onDemand)
            {
                var fraction = Math.Clamp((0.22 + (0.50 * Unit(seed, "spot", type.Name, o.Zone))) * zoneSwing[o.Zone] * familySwing, 0.15, 0.90);
                var available = Unit(seed, "available", type.Name, o.Zone) >= unavailable && Unit(seed, "family-out", family, o.Zone) >= 0.06;
                offerings.Add(new Offering(o.Zone, CapacityTypes.Spot, Math.Round(o.Price * fraction, 6), available));
            }

            types.Add(new InstanceType(type.Name, type.Labels, type.Capacity, type.Allocatable, offerings));
        }

        return new InstanceTypeCatalog(shipped.Zones, types, shipped.Region);
    }

    /// <summary>The seed's services for a fleet of <paramref name="pods"/> pods (replicas sum to exactly that).</summary>
    public static IReadOnlyList<FleetService> Services(int pods, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pods);
        var rng = new Random(seed);
        var count = 8 + rng.Next(7);
        var drafts = new List<(FleetService Service, int Weight, int? Fixed)>();
        for (var i = 0; i < count; i++)
        {
            var cpu = CpuChoices[rng.Next(CpuChoices.Length)];
            var profile = rng.NextDouble();
            // GiB per CPU: CPU-heavy 1-2, balanced 3-5, memory-heavy 6-16.
            var perCpu = profile < 0.35 ? 1 + rng.NextDouble() : profile < 0.70 ? 3 + (2 * rng.NextDouble()) : 6 + (10 * rng.NextDouble());
            var memory = Math.Max(128, (int)Math.Round(cpu * perCpu * 1024 / 1000 / 64) * 64);
            var arch = rng.NextDouble() switch { < 0.2 => "amd64", < 0.4 => "arm64", _ => null };
            var capacity = rng.NextDouble() switch { < 0.25 => CapacityTypes.Spot, < 0.40 => CapacityTypes.OnDemand, _ => null };
            var spread = rng.NextDouble() < 0.3;
            var weight = i == 0 ? 20 + rng.Next(20) : 1 + rng.Next(10);
            var kind = profile < 0.35 ? "cpu" : profile < 0.70 ? "app" : "mem";
            drafts.Add((new FleetService
            {
                Name = $"{kind}-{i}",
                Namespace = $"team-{i % 4}",
                MilliCpu = cpu,
                MemoryMi = memory,
                Replicas = 0,
                Arch = arch,
                CapacityType = capacity,
                ZonalSpread = spread,
            }, weight, null));
        }

        if (rng.NextDouble() < 0.4)
        {
            // A quorum service: a few replicas, one per node, spread over zones.
            drafts.Add((new FleetService
            {
                Name = "quorum",
                Namespace = "streaming",
                MilliCpu = 1000 * (1 + rng.Next(2)),
                MemoryMi = 4096,
                Replicas = 0,
                HostnameAntiAffinity = true,
                ZonalSpread = true,
            }, 0, 3 + rng.Next(3)));
        }

        if (rng.NextDouble() < 0.4)
        {
            drafts.Add((new FleetService { Name = "payments", Namespace = "commerce", MilliCpu = 1000, MemoryMi = 4096, Replicas = 0, Critical = true, ZonalSpread = rng.NextDouble() < 0.5 }, 3 + rng.Next(4), null));
        }

        if (rng.NextDouble() < 0.35)
        {
            drafts.Add((new FleetService { Name = "inference", Namespace = "ml", MilliCpu = 4000, MemoryMi = 16384, Replicas = 0, Gpus = 1 }, 0, 2 + rng.Next(7)));
        }

        var replicas = Split(pods, drafts.Select(d => (d.Weight, d.Fixed)).ToList());
        return drafts.Select((d, i) => d.Service with { Replicas = replicas[i] }).ToList();
    }

    /// <summary>
    /// The seed's fleet: the perturbed catalog (<see cref="Catalog"/>), NodePools, DaemonSets and
    /// <paramref name="pods"/> pending pods of <see cref="Services"/>, in an order shuffled by the seed.
    /// </summary>
    public static SchedulingInput Create(InstanceTypeCatalog shipped, int pods, int seed)
    {
        ArgumentNullException.ThrowIfNull(shipped);
        var services = Services(pods, seed);
        var rng = new Random(unchecked((seed * 31) + 7));
        var list = new List<V1Pod>(pods);
        var ordinal = 0;
        foreach (var s in services)
        {
            for (var i = 0; i < s.Replicas; i++)
            {
                list.Add(Pod(s, i, PodFactory.Uid(seed, 3, ordinal++)));
            }
        }

        rng.Shuffle(CollectionsMarshal.AsSpan(list));
        var zoneCount = Math.Min(shipped.Zones.Count, 3 + rng.Next(4));
        var zones = shipped.Zones.Order(StringComparer.Ordinal).Take(zoneCount).ToList();
        var daemonSets = new List<V1DaemonSet>
        {
            DaemonSet("node-exporter", "monitoring", "100m", "128Mi", amd64Only: false),
            DaemonSet("log-agent", "logging", "200m", rng.NextDouble() < 0.5 ? "256Mi" : "512Mi", amd64Only: false),
        };
        if (rng.NextDouble() < 0.5)
        {
            daemonSets.Add(DaemonSet("security-agent", "security", "150m", "192Mi", amd64Only: true));
        }

        return new SchedulingInput
        {
            Catalog = Catalog(shipped, seed),
            NodePools = NodePools(zones.Count == shipped.Zones.Count ? null : zones, rng.NextDouble() < 0.5 ? "4" : "5", services),
            Pods = list,
            DaemonSets = daemonSets,
        };
    }

    private static List<NodePool> NodePools(IReadOnlyList<string>? zones, string minGeneration, IReadOnlyList<FleetService> services)
    {
        var zoneRequirement = zones is null ? null : new NodeSelectorRequirementWithMinValues(WellKnownLabels.Zone, RequirementOperator.In, [.. zones]);
        var general = new List<NodeSelectorRequirementWithMinValues>
        {
            new(AwsMixedWorkload.InstanceCategoryLabel, RequirementOperator.In, ["c", "m", "r"]),
            new(AwsMixedWorkload.InstanceGenerationLabel, RequirementOperator.Gt, [minGeneration]),
            new(AwsMixedWorkload.InstanceSizeLabel, RequirementOperator.NotIn, ["metal"]),
            new(WellKnownLabels.Arch, RequirementOperator.In, ["amd64", "arm64"]),
            new(WellKnownLabels.Os, RequirementOperator.In, ["linux"]),
            new(WellKnownLabels.CapacityType, RequirementOperator.In, [CapacityTypes.Spot, CapacityTypes.OnDemand]),
        };
        if (zoneRequirement is not null)
        {
            general.Add(zoneRequirement);
        }

        var pools = new List<NodePool>
        {
            new()
            {
                Name = "general",
                Weight = 50,
                NodeClassRef = NodeClass,
                Requirements = general,
                Limits = new Dictionary<string, string>(StringComparer.Ordinal) { ["cpu"] = "200000" },
            },
        };
        if (services.Any(s => s.Critical))
        {
            var critical = new List<NodeSelectorRequirementWithMinValues>
            {
                new(AwsMixedWorkload.InstanceCategoryLabel, RequirementOperator.In, ["m", "r"]),
                new(AwsMixedWorkload.InstanceGenerationLabel, RequirementOperator.Gt, ["6"]),
                new(WellKnownLabels.Arch, RequirementOperator.In, ["amd64"]),
                new(WellKnownLabels.CapacityType, RequirementOperator.In, [CapacityTypes.OnDemand]),
            };
            if (zoneRequirement is not null)
            {
                critical.Add(zoneRequirement);
            }

            pools.Add(new NodePool
            {
                Name = "critical",
                Weight = 90,
                NodeClassRef = NodeClass,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { [AwsMixedWorkload.TierLabel] = "critical" },
                Taints = [new V1Taint { Key = AwsMixedWorkload.TierLabel, Value = "critical", Effect = "NoSchedule" }],
                Requirements = critical,
            });
        }

        if (services.Any(s => s.Gpus > 0))
        {
            var gpu = new List<NodeSelectorRequirementWithMinValues>
            {
                new(AwsMixedWorkload.InstanceCategoryLabel, RequirementOperator.In, ["g"]),
                new(AwsMixedWorkload.GpuManufacturerLabel, RequirementOperator.In, ["nvidia"]),
                new(WellKnownLabels.Arch, RequirementOperator.In, ["amd64"]),
                new(WellKnownLabels.CapacityType, RequirementOperator.In, [CapacityTypes.OnDemand, CapacityTypes.Spot]),
            };
            if (zoneRequirement is not null)
            {
                // Every pool in the same zones: a zone only the GPU pool had would be a spread domain the
                // general pool's pods could never fill.
                gpu.Add(zoneRequirement);
            }

            pools.Add(new NodePool
            {
                Name = "gpu",
                Weight = 10,
                NodeClassRef = NodeClass,
                Taints = [new V1Taint { Key = PodFactory.GpuResource, Value = "true", Effect = "NoSchedule" }],
                Requirements = gpu,
            });
        }

        return pools;
    }

    /// <summary>Fixed replicas first (capped by what is left), the rest by weight with largest remainders.</summary>
    private static int[] Split(int pods, IReadOnlyList<(int Weight, int? Fixed)> shares)
    {
        var replicas = new int[shares.Count];
        var left = pods;
        for (var i = 0; i < shares.Count; i++)
        {
            if (shares[i].Fixed is { } f)
            {
                replicas[i] = Math.Min(f, left);
                left -= replicas[i];
            }
        }

        long total = shares.Where(s => s.Fixed is null).Sum(s => s.Weight);
        var share = left;
        var remainders = new List<(long Remainder, int Index)>();
        for (var i = 0; i < shares.Count; i++)
        {
            if (shares[i].Fixed is null && total > 0)
            {
                var exact = (long)share * shares[i].Weight;
                replicas[i] = (int)(exact / total);
                left -= replicas[i];
                remainders.Add((exact % total, i));
            }
        }

        foreach (var (_, i) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take(left))
        {
            replicas[i]++;
        }

        return replicas;
    }

    private static V1Pod Pod(FleetService s, int index, string uid)
    {
        var labels = PodFactory.Labels("app", s.Name);
        var cpu = s.MilliCpu.ToString(CultureInfo.InvariantCulture) + "m";
        var memory = s.MemoryMi.ToString(CultureInfo.InvariantCulture) + "Mi";
        var spec = new V1PodSpec { Containers = [PodFactory.Container(cpu, memory, s.Gpus > 0 ? s.Gpus.ToString(CultureInfo.InvariantCulture) : null)] };
        var selector = new Dictionary<string, string>(StringComparer.Ordinal);
        var tolerations = new List<V1Toleration>();
        if (s.Arch is not null)
        {
            selector[WellKnownLabels.Arch] = s.Arch;
        }

        if (s.CapacityType is not null)
        {
            selector[WellKnownLabels.CapacityType] = s.CapacityType;
        }

        if (s.Critical)
        {
            selector[AwsMixedWorkload.TierLabel] = "critical";
            tolerations.Add(new V1Toleration { Key = AwsMixedWorkload.TierLabel, OperatorProperty = "Equal", Value = "critical", Effect = "NoSchedule" });
        }

        if (s.Gpus > 0)
        {
            tolerations.Add(new V1Toleration { Key = PodFactory.GpuResource, OperatorProperty = "Exists", Effect = "NoSchedule" });
        }

        if (s.HostnameAntiAffinity)
        {
            spec.Affinity = new V1Affinity
            {
                PodAntiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = [PodFactory.Term(WellKnownLabels.Hostname, "app", s.Name)],
                },
            };
        }

        spec.NodeSelector = selector.Count > 0 ? selector : null;
        spec.Tolerations = tolerations.Count > 0 ? tolerations : null;
        spec.TopologySpreadConstraints = s.ZonalSpread ? [PodFactory.Spread(WellKnownLabels.Zone, "app", s.Name)] : null;
        return PodFactory.Pending(s.Namespace, $"{s.Name}-{index}", uid, labels, spec);
    }

    private static V1DaemonSet DaemonSet(string name, string ns, string cpu, string memory, bool amd64Only)
    {
        var labels = PodFactory.Labels("app", name);
        var spec = new V1PodSpec
        {
            Containers = [PodFactory.Container(cpu, memory)],
            Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
        };
        if (amd64Only)
        {
            spec.Affinity = new V1Affinity
            {
                NodeAffinity = new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                    {
                        NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = WellKnownLabels.Arch, OperatorProperty = "In", Values = ["amd64"] }] }],
                    },
                },
            };
        }

        return new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = spec },
            },
        };
    }

    /// <summary>A number in [0, 1) that depends only on the seed and the parts: the catalog does not depend on visiting order.</summary>
    private static double Unit(int seed, params string[] parts)
    {
        var h = SpotPriceRule.Fnv1a64(string.Create(CultureInfo.InvariantCulture, $"fleet/{seed}/{string.Join('/', parts)}"));
        // FNV's low bits mix poorly: finish with a 64-bit avalanche before taking the top 53 bits.
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}

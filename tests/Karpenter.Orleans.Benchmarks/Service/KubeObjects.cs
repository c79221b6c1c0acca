using System.Globalization;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>
/// Pods, nodes and a NodePool as an agent would send them: the fields an API server fills in for a
/// Deployment's pod (owner, template hash, default tolerations, service-account volume, probes, status
/// with container statuses), minus managedFields, which an agent has no reason to forward. Every object
/// is built fresh, so nothing is shared between pods; sizes vary by workload.
/// </summary>
public static class KubeObjects
{
    public const string Region = "us-east-1";

    private static readonly string[] Zones = ["us-east-1a", "us-east-1b", "us-east-1c"];

    private static readonly (string Name, string Cpu, string Memory, string Image)[] Workloads =
    [
        ("web-frontend", "250m", "512Mi", "registry.example.com/shop/web-frontend:4.12.1"),
        ("api-gateway", "500m", "1Gi", "registry.example.com/platform/api-gateway:2.3.0"),
        ("orders", "1", "2Gi", "registry.example.com/commerce/orders:7.0.4"),
        ("inventory", "500m", "1Gi", "registry.example.com/commerce/inventory:3.9.2"),
        ("notifications", "100m", "128Mi", "registry.example.com/messaging/notifications:1.4.7"),
        ("search-indexer", "1", "4Gi", "registry.example.com/search/indexer:5.1.0"),
        ("session-cache", "500m", "2Gi", "registry.example.com/cache/session-cache:6.2.14"),
        ("queue-worker", "250m", "256Mi", "registry.example.com/messaging/queue-worker:0.9.3"),
    ];

    /// <summary>A general-purpose NodePool the pods below fit.</summary>
    public const string NodePoolJson = """
        {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "default"},
         "spec": {
           "template": {"spec": {
             "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": "default"},
             "requirements": [
               {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
               {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot", "on-demand"]},
               {"key": "karpenter.k8s.aws/instance-category", "operator": "In", "values": ["c", "m", "r"]}
             ]}},
           "limits": {"cpu": "100000"},
           "disruption": {"consolidationPolicy": "WhenEmpty", "consolidateAfter": "30s"}
         }}
        """;

    public static string NodeName(string cluster, int index) =>
        $"ip-10-{index / 250 % 250}-{index % 250}-{cluster.Length * 7 % 250}.ec2.internal";

    /// <summary>Pod number <paramref name="ordinal"/> of a cluster; bound to <paramref name="nodeName"/> (Running) or pending.</summary>
    public static V1Pod Pod(string cluster, long ordinal, string? nodeName, DateTime created)
    {
        var w = Workloads[ordinal % Workloads.Length];
        var hash = ((uint)(w.Name.GetHashCode(StringComparison.Ordinal) ^ cluster.Length)).ToString("x8", CultureInfo.InvariantCulture)[..8];
        var name = $"{w.Name}-{hash[..6]}-{Suffix(ordinal)}";
        var ns = w.Name.Contains("cache", StringComparison.Ordinal) ? "cache" : "apps";
        var bound = nodeName is not null;
        var limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(w.Memory) };
        var container = new V1Container
        {
            Name = w.Name,
            Image = w.Image,
            ImagePullPolicy = "IfNotPresent",
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080, Protocol = "TCP" }, new V1ContainerPort { Name = "metrics", ContainerPort = 9090, Protocol = "TCP" }],
            Env =
            [
                new V1EnvVar { Name = "SERVICE_NAME", Value = w.Name },
                new V1EnvVar { Name = "CLUSTER", Value = cluster },
                new V1EnvVar { Name = "LOG_LEVEL", Value = "info" },
                new V1EnvVar { Name = "OTEL_EXPORTER_OTLP_ENDPOINT", Value = "http://otel-collector.observability:4317" },
                new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.name" } } },
                new V1EnvVar { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "status.podIP" } } },
            ],
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(w.Cpu), ["memory"] = new(w.Memory) },
                Limits = limits,
            },
            LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = "http", Scheme = "HTTP" }, PeriodSeconds = 10, TimeoutSeconds = 1, FailureThreshold = 3, SuccessThreshold = 1 },
            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/ready", Port = "http", Scheme = "HTTP" }, PeriodSeconds = 5, TimeoutSeconds = 1, FailureThreshold = 3, SuccessThreshold = 1 },
            VolumeMounts = [new V1VolumeMount { Name = "kube-api-access-" + Suffix(ordinal * 31), MountPath = "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnlyProperty = true }],
            TerminationMessagePath = "/dev/termination-log",
            TerminationMessagePolicy = "File",
        };
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                GenerateName = $"{w.Name}-{hash[..6]}-",
                NamespaceProperty = ns,
                Uid = Guid.NewGuid().ToString(),
                ResourceVersion = (1_000_000 + ordinal).ToString(CultureInfo.InvariantCulture),
                CreationTimestamp = created,
                Labels = new Dictionary<string, string>
                {
                    ["app.kubernetes.io/name"] = w.Name,
                    ["app.kubernetes.io/part-of"] = ns,
                    ["pod-template-hash"] = hash[..6],
                    ["version"] = w.Image[(w.Image.LastIndexOf(':') + 1)..],
                },
                Annotations = new Dictionary<string, string>
                {
                    ["prometheus.io/scrape"] = "true",
                    ["prometheus.io/port"] = "9090",
                    ["kubectl.kubernetes.io/restartedAt"] = "2026-11-20T09:14:03Z",
                },
                OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = $"{w.Name}-{hash[..6]}", Uid = Guid.NewGuid().ToString(), Controller = true, BlockOwnerDeletion = true },
                ],
            },
            Spec = new V1PodSpec
            {
                NodeName = nodeName,
                Containers = [container],
                Volumes =
                [
                    new V1Volume
                    {
                        Name = container.VolumeMounts[0].Name,
                        Projected = new V1ProjectedVolumeSource
                        {
                            DefaultMode = 420,
                            Sources =
                            [
                                new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { ExpirationSeconds = 3607, Path = "token" } },
                                new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                                new V1VolumeProjection { DownwardAPI = new V1DownwardAPIProjection { Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } }] } },
                            ],
                        },
                    },
                ],
                DnsPolicy = "ClusterFirst",
                RestartPolicy = "Always",
                SchedulerName = "default-scheduler",
                ServiceAccountName = "default",
                SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, RunAsUser = 10001, FsGroup = 10001 },
                TerminationGracePeriodSeconds = 30,
                EnableServiceLinks = true,
                PreemptionPolicy = "PreemptLowerPriority",
                Priority = 0,
                Tolerations =
                [
                    new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
                    new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
                ],
            },
            Status = bound ? RunningStatus(w.Name, w.Image, ordinal, created) : PendingStatus(created),
        };
        return pod;
    }

    private static V1PodStatus PendingStatus(DateTime created) => new()
    {
        Phase = "Pending",
        QosClass = "Burstable",
        Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/12 nodes are available: 12 Insufficient cpu.", LastTransitionTime = created }],
    };

    private static V1PodStatus RunningStatus(string container, string image, long ordinal, DateTime created)
    {
        var ip = $"10.{(ordinal >> 16) & 255}.{(ordinal >> 8) & 255}.{ordinal & 255}";
        var started = created.AddSeconds(3);
        return new V1PodStatus
        {
            Phase = "Running",
            QosClass = "Burstable",
            HostIP = $"10.0.{(ordinal >> 5) & 255}.{ordinal % 31}",
            PodIP = ip,
            PodIPs = [new V1PodIP { Ip = ip }],
            StartTime = created,
            Conditions =
            [
                new V1PodCondition { Type = "PodReadyToStartContainers", Status = "True", LastTransitionTime = started },
                new V1PodCondition { Type = "Initialized", Status = "True", LastTransitionTime = created },
                new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = started.AddSeconds(5) },
                new V1PodCondition { Type = "ContainersReady", Status = "True", LastTransitionTime = started.AddSeconds(5) },
                new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = created },
            ],
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = container,
                    Image = image,
                    ImageID = $"{image[..image.LastIndexOf(':')]}@sha256:{ordinal % 97:x2}{new string('a', 62)}",
                    ContainerID = $"containerd://{Guid.NewGuid():N}{Guid.NewGuid():N}",
                    Ready = true,
                    Started = true,
                    RestartCount = 0,
                    State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = started } },
                },
            ],
        };
    }

    /// <summary>A Ready m5.4xlarge node with the labels, capacity and status a kubelet reports.</summary>
    public static V1Node Node(string cluster, int index, DateTime created)
    {
        var name = NodeName(cluster, index);
        var zone = Zones[index % Zones.Length];
        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new("16"),
            ["memory"] = new("64929584Ki"),
            ["pods"] = new("110"),
            ["ephemeral-storage"] = new("104845292Ki"),
            ["hugepages-1Gi"] = new("0"),
            ["hugepages-2Mi"] = new("0"),
        };
        var allocatable = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new("15890m"),
            ["memory"] = new("63913776Ki"),
            ["pods"] = new("110"),
            ["ephemeral-storage"] = new("95551679124"),
            ["hugepages-1Gi"] = new("0"),
            ["hugepages-2Mi"] = new("0"),
        };
        var conditions = new[] { ("MemoryPressure", "False", "KubeletHasSufficientMemory"), ("DiskPressure", "False", "KubeletHasNoDiskPressure"), ("PIDPressure", "False", "KubeletHasSufficientPID"), ("Ready", "True", "KubeletReady") }
            .Select(c => new V1NodeCondition { Type = c.Item1, Status = c.Item2, Reason = c.Item3, LastHeartbeatTime = created, LastTransitionTime = created, Message = c.Item3 })
            .ToList();
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Uid = Guid.NewGuid().ToString(),
                CreationTimestamp = created,
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/arch"] = "amd64",
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/hostname"] = name,
                    ["node.kubernetes.io/instance-type"] = "m5.4xlarge",
                    ["topology.kubernetes.io/region"] = Region,
                    ["topology.kubernetes.io/zone"] = zone,
                    ["karpenter.sh/nodepool"] = "default",
                    ["karpenter.sh/capacity-type"] = index % 3 == 0 ? "on-demand" : "spot",
                    ["karpenter.sh/registered"] = "true",
                    ["karpenter.sh/initialized"] = "true",
                    ["karpenter.k8s.aws/instance-category"] = "m",
                    ["karpenter.k8s.aws/instance-family"] = "m5",
                    ["karpenter.k8s.aws/instance-generation"] = "5",
                    ["karpenter.k8s.aws/instance-size"] = "4xlarge",
                    ["karpenter.k8s.aws/instance-cpu"] = "16",
                    ["karpenter.k8s.aws/instance-memory"] = "65536",
                },
                Annotations = new Dictionary<string, string>
                {
                    ["karpenter.sh/nodeclaim"] = $"default-{Suffix(index)}",
                    ["node.alpha.kubernetes.io/ttl"] = "0",
                    ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true",
                },
            },
            Spec = new V1NodeSpec { ProviderID = $"aws:///{zone}/i-{index:x8}{cluster.Length:x9}" },
            Status = new V1NodeStatus
            {
                Capacity = capacity,
                Allocatable = allocatable,
                Conditions = conditions,
                Addresses =
                [
                    new V1NodeAddress { Type = "InternalIP", Address = $"10.{index / 250 % 250}.{index % 250}.{cluster.Length * 7 % 250}" },
                    new V1NodeAddress { Type = "Hostname", Address = name },
                    new V1NodeAddress { Type = "InternalDNS", Address = name },
                ],
                NodeInfo = new V1NodeSystemInfo
                {
                    Architecture = "amd64",
                    OperatingSystem = "linux",
                    OsImage = "Amazon Linux 2023.6.20241212",
                    KernelVersion = "6.1.119-129.201.amzn2023.x86_64",
                    ContainerRuntimeVersion = "containerd://1.7.23",
                    KubeletVersion = "v1.31.3-eks-59bf375",
                    KubeProxyVersion = "v1.31.3-eks-59bf375",
                    BootID = Guid.NewGuid().ToString(),
                    MachineID = Guid.NewGuid().ToString("N"),
                    SystemUUID = Guid.NewGuid().ToString(),
                },
                Images = Workloads.Select(w => new V1ContainerImage { Names = [w.Image, $"{w.Image[..w.Image.LastIndexOf(':')]}@sha256:{new string('b', 64)}"], SizeBytes = 50_000_000 + w.Name.Length * 1_000_000 }).ToList(),
            },
        };
    }

    public static ClusterObject Object(V1Pod pod) => new(ObjectKind.Pod, KubernetesJson.Serialize(pod));

    public static ClusterObject Object(V1Node node) => new(ObjectKind.Node, KubernetesJson.Serialize(node));

    public static ObjectDelta Upsert(long sequence, V1Pod pod) =>
        new(sequence, DeltaType.Upsert, ObjectKind.Pod, pod.Metadata.NamespaceProperty, pod.Metadata.Name, KubernetesJson.Serialize(pod));

    public static ObjectDelta Delete(long sequence, V1Pod pod) =>
        new(sequence, DeltaType.Delete, ObjectKind.Pod, pod.Metadata.NamespaceProperty, pod.Metadata.Name);

    public static ClusterRegistration Registration(string cluster) => new(cluster, "simulated", Region, "111111111111");

    private static string Suffix(long n)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> chars = stackalloc char[5];
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            chars[i] = alphabet[(int)(n % alphabet.Length)];
            n /= alphabet.Length;
        }

        return new string(chars);
    }
}

using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Cli.Commands;

/// <summary>
/// <c>karpo bench --write-manifests FOLDER</c>: the benchmark mix as the files a user feeds <c>karpo simulate</c>
/// (multi-document YAML, a <c>kind: List</c> YAML and a <c>kubectl get pods -o json</c> dump with what the API
/// server adds), so the whole command can be timed on them without keeping large files in the repository.
/// </summary>
internal static class BenchManifests
{
    private static readonly DateTime Created = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>Writes the files and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string folder, int pods, int seed)
    {
        Directory.CreateDirectory(folder);
        var input = BenchmarkWorkload.Create(pods, preferences: false, seed);
        var stem = Path.Combine(folder, $"benchmark-{pods.ToString(CultureInfo.InvariantCulture)}");
        var written = new List<string>();

        var catalog = Path.Combine(folder, "benchmark-catalog.json");
        WriteCatalog(catalog);
        written.Add(catalog);

        var documents = stem + ".yaml";
        using (var writer = new StreamWriter(documents))
        {
            foreach (var pod in input.Pods)
            {
                writer.WriteLine("---");
                writer.WriteLine(KubernetesYaml.Serialize(pod).TrimEnd());
            }
        }

        written.Add(documents);

        var list = stem + "-list.yaml";
        File.WriteAllText(list, KubernetesYaml.Serialize(new V1PodList { ApiVersion = "v1", Kind = "List", Items = [.. input.Pods] }));
        written.Add(list);

        var dumped = input.Pods.Select((p, i) => AsDumped(p, i)).ToList();
        var json = stem + "-kubectl.json";
        File.WriteAllText(json, KubernetesJson.Serialize(new V1PodList { ApiVersion = "v1", Kind = "List", Items = dumped, Metadata = new V1ListMeta { ResourceVersion = "" } }));
        written.Add(json);

        var dumpYaml = stem + "-kubectl.yaml";
        File.WriteAllText(dumpYaml, KubernetesYaml.Serialize(new V1PodList { ApiVersion = "v1", Kind = "List", Items = dumped, Metadata = new V1ListMeta { ResourceVersion = "" } }));
        written.Add(dumpYaml);
        return written;
    }

    /// <summary>The benchmark's 400 fake types in the catalog format (<c>--instance-types</c>).</summary>
    private static void WriteCatalog(string path)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteStartArray("zones");
        foreach (var zone in BenchmarkWorkload.Catalog.Zones)
        {
            json.WriteStringValue(zone);
        }

        json.WriteEndArray();
        json.WriteStartArray("instanceTypes");
        foreach (var type in BenchmarkWorkload.Catalog.InstanceTypes)
        {
            json.WriteStartObject();
            json.WriteString("name", type.Name);
            json.WriteStartObject("labels");
            foreach (var (key, value) in type.Labels)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            json.WriteStartObject("allocatable");
            json.WriteString("cpu", $"{type.Allocatable.MilliCpu.ToString(CultureInfo.InvariantCulture)}m");
            json.WriteString("memory", type.Allocatable.Memory.ToString(CultureInfo.InvariantCulture));
            json.WriteString("pods", type.Allocatable.Pods.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteStartArray("offerings");
            foreach (var offering in type.Offerings)
            {
                json.WriteStartObject();
                json.WriteString("zone", offering.Zone);
                json.WriteString("capacityType", offering.CapacityType);
                json.WriteNumber("price", offering.Price);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The pod as the API server returns it: defaults filled in, a service-account volume, managed fields and status.</summary>
    private static V1Pod AsDumped(V1Pod pod, int index)
    {
        var copy = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(pod));
        var meta = copy.Metadata;
        meta.CreationTimestamp = Created;
        meta.ResourceVersion = (100_000 + index).ToString(CultureInfo.InvariantCulture);
        meta.Uid = $"6f1c2a9e-0000-4000-8000-{index.ToString("x12", CultureInfo.InvariantCulture)}";
        meta.ManagedFields =
        [
            new V1ManagedFieldsEntry
            {
                ApiVersion = "v1",
                FieldsType = "FieldsV1",
                Manager = "kubectl-create",
                Operation = "Update",
                Time = Created,
                FieldsV1 = new Dictionary<string, object>
                {
                    ["f:metadata"] = new Dictionary<string, object> { ["f:labels"] = new Dictionary<string, object> { ["."] = new Dictionary<string, object>() } },
                    ["f:spec"] = new Dictionary<string, object>
                    {
                        ["f:containers"] = new Dictionary<string, object> { ["k:{\"name\":\"app\"}"] = new Dictionary<string, object> { ["f:image"] = new Dictionary<string, object>() } },
                        ["f:dnsPolicy"] = new Dictionary<string, object>(),
                        ["f:restartPolicy"] = new Dictionary<string, object>(),
                    },
                },
            },
        ];
        var spec = copy.Spec;
        spec.DnsPolicy = "ClusterFirst";
        spec.EnableServiceLinks = true;
        spec.PreemptionPolicy = "PreemptLowerPriority";
        spec.Priority = 0;
        spec.RestartPolicy = "Always";
        spec.SchedulerName = "default-scheduler";
        spec.SecurityContext = new V1PodSecurityContext();
        spec.ServiceAccount = "default";
        spec.ServiceAccountName = "default";
        spec.TerminationGracePeriodSeconds = 30;
        spec.Tolerations =
        [
            new V1Toleration { Effect = "NoExecute", Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", TolerationSeconds = 300 },
            new V1Toleration { Effect = "NoExecute", Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", TolerationSeconds = 300 },
        ];
        spec.Volumes =
        [
            new V1Volume
            {
                Name = "kube-api-access-x7k2p",
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
        ];
        foreach (var container in spec.Containers)
        {
            container.ImagePullPolicy = "IfNotPresent";
            container.TerminationMessagePath = "/dev/termination-log";
            container.TerminationMessagePolicy = "File";
            container.Env = [new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.name" } } }];
            container.VolumeMounts = [new V1VolumeMount { MountPath = "/var/run/secrets/kubernetes.io/serviceaccount", Name = "kube-api-access-x7k2p", ReadOnlyProperty = true }];
        }

        copy.Status = new V1PodStatus
        {
            Phase = "Pending",
            QosClass = "Burstable",
            Conditions =
            [
                new V1PodCondition
                {
                    Type = "PodScheduled",
                    Status = "False",
                    Reason = "Unschedulable",
                    LastTransitionTime = Created,
                    Message = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
                },
            ],
        };
        return copy;
    }
}

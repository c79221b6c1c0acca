using System.Buffers;
using System.Text;
using System.Text.Json;
using CsCheck;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

/// <summary>
/// Models filled straight from YAML events are the models System.Text.Json makes from the same object's JSON (the way the
/// streaming reader read every object before), and whatever the plain walk does not take is left to that way.
/// </summary>
public sealed class EventModelBuilderTests
{
    private static readonly JsonSerializerOptions Options = ManifestJson.Options!;

    private static readonly Gen<string> Word = OneOf("a", "web", "x-1", "8080", "true", "False", "1.5", "''", "\"quoted\"", "'it''s'", "null", "~", "");

    private static readonly Gen<string> Quantity = OneOf("100m", "1", "2.5", "256Mi", "1Gi", "4", "\"500m\"", "0", "1e3");

    private static readonly Gen<string> Container = Gen.Select(
        OneOf("app", "side", "\"init\""),
        Quantity, Quantity, Gen.Bool, Gen.Int[1, 65535], Gen.Bool, Word)
        .Select((name, cpu, memory, limits, port, quotedPort, arg) =>
            $"  - name: {name}\n    image: registry.k8s.io/pause:3.10\n    args:\n    - b\n    - {arg}\n" +
            $"    ports:\n    - containerPort: {(quotedPort ? $"\"{port}\"" : port)}\n      protocol: TCP\n" +
            $"    resources:\n      requests:\n        cpu: {cpu}\n        memory: {memory}\n" +
            (limits ? $"      limits: {{cpu: {cpu}, nvidia.com/gpu: 1}}\n" : ""));

    private static readonly Gen<string> Pod = Gen.Select(
        Gen.Int[0, 3].SelectMany(n => Gen.Select(OneOf("app", "tier", "kubernetes.io/arch", "team"), Word).Array[n]),
        Container.Array[1, 3],
        Gen.Bool, Gen.Bool, Gen.Bool, Gen.Int[0, 600], Gen.Bool)
        .Select((labels, containers, tolerations, affinity, nodeName, grace, hostNetwork) =>
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\n" +
            (labels.Length == 0 ? "  labels: {}\n" : "  labels:\n" + string.Concat(labels.Select((l, i) => $"    {l.Item1}-{i}: {l.Item2}\n"))) +
            "  creationTimestamp: null\n" +
            "  ownerReferences:\n  - apiVersion: apps/v1\n    kind: ReplicaSet\n    name: rs\n    uid: u-1\n    controller: true\n" +
            "spec:\n" +
            (nodeName ? "  nodeName: node-1\n" : "  nodeName:\n") +
            $"  terminationGracePeriodSeconds: {grace}\n  hostNetwork: {(hostNetwork ? "true" : "False")}\n" +
            "  nodeSelector:\n    kubernetes.io/os: linux\n" +
            (tolerations ? "  tolerations:\n  - key: k\n    operator: Exists\n    effect: NoSchedule\n    tolerationSeconds: 30\n" : "") +
            (affinity ? "  topologySpreadConstraints:\n  - maxSkew: 1\n    topologyKey: topology.kubernetes.io/zone\n    whenUnsatisfiable: DoNotSchedule\n    labelSelector: {matchLabels: {app: web}}\n" +
                        "  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions:\n          - {key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}\n" : "") +
            "  containers:\n" + string.Concat(containers) +
            "status:\n  phase: Pending\n  conditions:\n  - type: PodScheduled\n    status: \"False\"\n    lastTransitionTime: \"2026-12-07T10:00:00Z\"\n");

    [Fact]
    public void Varied_pods_are_the_models_their_json_gives()
    {
        Pod.Sample(yaml =>
        {
            var events = ObjectEvents(yaml);
            var direct = new EventModelBuilder(Options).TryBuild(events, typeof(V1Pod));
            Assert.NotNull(direct);
            Assert.Equal(KubernetesJson.Serialize(ThroughJson(events, typeof(V1Pod))), KubernetesJson.Serialize(direct));
        }, iter: 300);
    }

    [Fact]
    public void A_workload_template_is_the_model_its_json_gives()
    {
        const string yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, uid: d-1}
            spec:
              replicas: "3"
              selector: {matchLabels: {app: web}}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: app
                    resources: {requests: {cpu: 250m, memory: 1Gi}}
                    env:
                    - {name: A, value: "1"}
                    - name: B
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
                    livenessProbe: {httpGet: {path: /, port: http}}
            """;
        var events = ObjectEvents(yaml);

        var direct = new EventModelBuilder(Options).TryBuild(events, typeof(V1Deployment));

        Assert.NotNull(direct);
        Assert.Equal(3, ((V1Deployment)direct).Spec.Replicas);
        Assert.Equal("http", ((V1Deployment)direct).Spec.Template.Spec.Containers[0].LivenessProbe.HttpGet.Port.Value);
        Assert.Equal(KubernetesJson.Serialize(ThroughJson(events, typeof(V1Deployment))), KubernetesJson.Serialize(direct));
    }

    [Fact]
    public void Managed_fields_of_a_kubectl_dump_are_the_json_they_hold()
    {
        const string yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              managedFields:
              - apiVersion: v1
                fieldsType: FieldsV1
                fieldsV1:
                  f:metadata:
                    f:labels:
                      ".": {}
                  f:spec:
                    f:containers:
                      k:{"name":"app"}:
                        f:image: {}
                    f:tolerations: [a, {b: 1}]
                manager: kubectl-create
                operation: Update
                time: "2026-12-01T09:00:00Z"
            spec:
              containers:
              - name: app
            """;
        var events = ObjectEvents(yaml);

        var direct = (V1Pod?)new EventModelBuilder(Options).TryBuild(events, typeof(V1Pod));

        Assert.NotNull(direct);
        var fields = Assert.IsType<JsonElement>(direct.Metadata.ManagedFields[0].FieldsV1);
        Assert.True(fields.GetProperty("f:spec").GetProperty("f:containers").TryGetProperty("k:{\"name\":\"app\"}", out _));
        Assert.Equal(KubernetesJson.Serialize(ThroughJson(events, typeof(V1Pod))), KubernetesJson.Serialize(direct));
    }

    [Theory]
    [InlineData("metadata:\n  name: p\n  colour: red\n")]
    [InlineData("metadata:\n  name: p\n  name: q\n")]
    [InlineData("metadata:\n  labels: {a: x, a: y}\n")]
    [InlineData("spec:\n  containers:\n  - name: a\n    name: b\n")]
    [InlineData("spec:\n  hostNetwork: maybe\n")]
    [InlineData("metadata: p\n")]
    [InlineData("spec:\n  containers: {name: app}\n")]
    [InlineData("spec:\n  terminationGracePeriodSeconds: soon\n")]
    [InlineData("spec:\n  containers:\n  - name: app\n    resources: {requests: {cpu: lots}}\n")]
    public void What_the_plain_walk_does_not_take_is_left_to_the_json_way(string yaml)
    {
        var events = ObjectEvents("apiVersion: v1\nkind: Pod\n" + yaml);

        Assert.Null(new EventModelBuilder(Options).TryBuild(events, typeof(V1Pod)));
    }

    [Fact]
    public void A_file_of_varied_pods_loads_the_same_pods_as_the_full_reader()
    {
        var text = new StringBuilder();
        var n = 0;
        Pod.Sample(yaml => { text.Append("---\n").Append(yaml.Replace("name: p\n", $"name: p{n++}\n", StringComparison.Ordinal)); }, iter: 50, threads: 1);
        var content = text.ToString();

        var fast = StreamingManifestReader.TryRead("pods.yaml", content);

        Assert.NotNull(fast);
        var full = YamlManifestReader.Read("pods.yaml", content).Select(d => KubernetesJson.Serialize(KubernetesYaml.Deserialize<V1Pod>(d.Text))).ToList();
        Assert.Equal(full, fast.Select(d => KubernetesJson.Serialize(d.Value)).ToList());
    }

    private static Gen<string> OneOf(params string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    /// <summary>The root mapping's events, as the streaming reader records one object.</summary>
    private static List<YamlEvent> ObjectEvents(string yaml)
    {
        var parser = new YamlTokenParser(new StringReader(yaml));
        var events = new List<YamlEvent>();
        while (parser.MoveNext())
        {
            if (parser.Current.Kind is not (YamlEventKind.StreamStart or YamlEventKind.StreamEnd or YamlEventKind.DocumentStart or YamlEventKind.DocumentEnd))
            {
                events.Add(parser.Current);
            }
        }

        return events;
    }

    private static object? ThroughJson(List<YamlEvent> events, Type type)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        return EventModelBuilder.ThroughJson(events, type, Options, buffer, writer);
    }
}

using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Turns documents into the objects the simulator reads, in input order: workloads become their pods,
/// names are checked for duplicates, namespaces default to "default". Kinds it does not read are counted
/// and named in one note, so a whole <c>kubectl get -o yaml</c> dump reads without a line per object.
/// </summary>
internal sealed class ManifestCollector(TextWriter? warnings, LiveOwners liveOwners)
{
    private const string DefaultNamespace = "default";

    /// <summary>Kinds ending so are node classes (EC2NodeClass, AKSNodeClass, ...), kept for the cloud's own parser.</summary>
    private const string NodeClassSuffix = "NodeClass";

    // Where each name was first defined, to say so when it is defined again.
    private readonly Dictionary<string, ManifestDocument> _nodePoolNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ManifestDocument> _podNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ManifestDocument> _nodeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ManifestDocument> _daemonSetNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ManifestDocument> _pdbNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ManifestDocument> _nodeClassNames = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _skippedKinds = new(StringComparer.Ordinal);
    private readonly UnknownFieldNotes _unknownFields = new(warnings);
    private int _daemonSetPods;
    private int _readThroughDeployment;
    private int _livePodsOfWorkloads;

    private readonly List<NodePool> _nodePools = [];
    private readonly List<V1Pod> _pods = [];
    private readonly List<V1Node> _nodes = [];
    private readonly List<V1DaemonSet> _daemonSets = [];
    private readonly List<V1PodDisruptionBudget> _pdbs = [];
    private readonly List<NodeClassObject> _nodeClasses = [];

    public LoadedManifests Result()
    {
        _unknownFields.WriteRepeats();
        WriteSkipped();
        return new()
        {
            NodePools = _nodePools,
            Pods = _pods,
            Nodes = _nodes,
            DaemonSets = _daemonSets,
            PodDisruptionBudgets = _pdbs,
            NodeClasses = _nodeClasses,
            NodePoolLocations = _nodePoolNames.ToDictionary(p => p.Key, p => p.Value.Location, StringComparer.Ordinal),
        };
    }

    public void Add(ManifestDocument doc)
    {
        var kind = RequiredString(doc, "kind");
        var apiVersion = RequiredString(doc, "apiVersion");
        switch (kind)
        {
            case "NodePool":
                RequireApiVersion(doc, apiVersion, "karpenter.sh/v1");
                AddNodePool(doc, NodePoolParser.Parse(doc, warnings));
                break;
            case "Pod":
                RequireApiVersion(doc, apiVersion, "v1");
                AddPod(doc, KubernetesObjectReader.Read<V1Pod>(doc, _unknownFields));
                break;
            case "Deployment":
                RequireApiVersion(doc, apiVersion, "apps/v1");
                var deployment = KubernetesObjectReader.Read<V1Deployment>(doc, _unknownFields);
                Expand(doc, deployment.Metadata, deployment.Spec?.Template, deployment.Spec?.Replicas, "spec.replicas");
                break;
            case "ReplicaSet":
                RequireApiVersion(doc, apiVersion, "apps/v1");
                var replicaSet = KubernetesObjectReader.Read<V1ReplicaSet>(doc, _unknownFields);
                if (liveOwners.IsReadThroughItsDeployment(replicaSet.Metadata?.Uid))
                {
                    _readThroughDeployment++;
                    break;
                }

                Expand(doc, replicaSet.Metadata, replicaSet.Spec?.Template, replicaSet.Spec?.Replicas, "spec.replicas");
                break;
            case "StatefulSet":
                RequireApiVersion(doc, apiVersion, "apps/v1");
                var statefulSet = KubernetesObjectReader.Read<V1StatefulSet>(doc, _unknownFields);
                Expand(doc, statefulSet.Metadata, statefulSet.Spec?.Template, statefulSet.Spec?.Replicas, "spec.replicas");
                break;
            case "Job":
                RequireApiVersion(doc, apiVersion, "batch/v1");
                var job = KubernetesObjectReader.Read<V1Job>(doc, _unknownFields);
                Expand(doc, job.Metadata, job.Spec?.Template, job.Spec?.Parallelism, "spec.parallelism");
                break;
            case "DaemonSet":
                RequireApiVersion(doc, apiVersion, "apps/v1");
                AddDaemonSet(doc, KubernetesObjectReader.Read<V1DaemonSet>(doc, _unknownFields));
                break;
            case "Node":
                RequireApiVersion(doc, apiVersion, "v1");
                AddNode(doc, KubernetesObjectReader.Read<V1Node>(doc, _unknownFields));
                break;
            case "PodDisruptionBudget":
                RequireApiVersion(doc, apiVersion, "policy/v1");
                AddPdb(doc, KubernetesObjectReader.Read<V1PodDisruptionBudget>(doc, _unknownFields));
                break;
            case var nodeClass when nodeClass.EndsWith(NodeClassSuffix, StringComparison.Ordinal) && nodeClass.Length > NodeClassSuffix.Length:
                AddNodeClass(doc, apiVersion, kind);
                break;
            default:
                _skippedKinds[kind] = _skippedKinds.GetValueOrDefault(kind) + 1;
                break;
        }
    }

    private void AddNodePool(ManifestDocument doc, NodePool nodePool)
    {
        if (!_nodePoolNames.TryAdd(nodePool.Name, doc))
        {
            throw doc.Error("metadata.name", $"NodePool \"{nodePool.Name}\" is already defined in {_nodePoolNames[nodePool.Name].Describe()}");
        }

        _nodePools.Add(nodePool);
    }

    private void AddPod(ManifestDocument doc, V1Pod pod)
    {
        var name = RequireName(doc, pod.Metadata);
        var ns = Namespace(pod.Metadata);
        pod.Metadata.NamespaceProperty = ns;
        pod.Metadata.Uid ??= $"{ns}/{name}";
        RequirePodSpec(doc, pod.Spec, "spec");
        ResourceChecks.CheckPodSpec(doc, pod.Spec, "spec");
        ClaimPodName(doc, $"{ns}/{name}", null);
        if (string.IsNullOrEmpty(pod.Spec.NodeName) && pod.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Kind == "DaemonSet") == true)
        {
            // A dump's DaemonSet pod waiting for its node: the DaemonSet controller places it, not a new NodeClaim
            // (Karpenter leaves such pods out of provisioning too). Its DaemonSet, when given, counts on new nodes.
            _daemonSetPods++;
            return;
        }

        _pods.Add(pod);
    }

    private void AddNodeClass(ManifestDocument doc, string apiVersion, string kind)
    {
        var name = doc.Name;
        if (string.IsNullOrEmpty(name))
        {
            throw doc.Error("metadata.name", "required");
        }

        Claim(_nodeClassNames, doc, $"{kind}/{name}", kind);
        _nodeClasses.Add(new NodeClassObject(doc.Location, apiVersion, kind, name, YamlJson.ToJson(doc.Root)));
    }

    private void WriteSkipped()
    {
        if (warnings is null || (_skippedKinds.Count == 0 && _daemonSetPods == 0 && _readThroughDeployment == 0 && _livePodsOfWorkloads == 0))
        {
            return;
        }

        var parts = new List<string>();
        if (_skippedKinds.Count > 0)
        {
            var total = _skippedKinds.Values.Sum();
            var kinds = string.Join(", ", _skippedKinds.Select(k => $"{k.Key} {k.Value}"));
            parts.Add($"{total} object{(total == 1 ? "" : "s")} of kinds the simulator does not read ({kinds})");
        }

        if (_daemonSetPods > 0)
        {
            parts.Add($"{_daemonSetPods} unbound DaemonSet pod{(_daemonSetPods == 1 ? "" : "s")} (their DaemonSet places them)");
        }

        if (_readThroughDeployment > 0)
        {
            parts.Add($"{_readThroughDeployment} ReplicaSet{(_readThroughDeployment == 1 ? "" : "s")} of Deployments in the input (read through the Deployment)");
        }

        if (_livePodsOfWorkloads > 0)
        {
            parts.Add($"{_livePodsOfWorkloads} replica{(_livePodsOfWorkloads == 1 ? "" : "s")} of workloads whose pods are in the input (the pods count instead)");
        }

        warnings.WriteLine($"skipped {string.Join("; ", parts)}");
    }

    /// <summary>A workload's <paramref name="count"/> pods, named name-0 .. name-(count-1), sharing the template.</summary>
    private void Expand(ManifestDocument doc, V1ObjectMeta? metadata, V1PodTemplateSpec? template, int? count, string countField)
    {
        var name = RequireName(doc, metadata);
        var ns = Namespace(metadata);
        var replicas = count ?? 1;
        if (replicas < 0)
        {
            throw doc.Error(countField, $"must be 0 or more, got {replicas}");
        }

        // A dump holds the workload's running pods too: make only the replicas it is missing.
        var live = Math.Min(replicas, liveOwners.LivePods(metadata?.Uid));
        _livePodsOfWorkloads += live;
        replicas -= live;

        if (template is null)
        {
            throw doc.Error("spec.template", "required");
        }

        RequirePodSpec(doc, template.Spec, "spec.template.spec");
        ResourceChecks.CheckPodSpec(doc, template.Spec, "spec.template.spec");

        // One owner list for all pods: the solver reads pods and never changes them.
        IList<V1OwnerReference> owners =
        [
            new V1OwnerReference
            {
                ApiVersion = doc.ApiVersion,
                Kind = doc.Kind,
                Name = name,
                Uid = metadata!.Uid ?? $"{ns}/{doc.Kind}/{name}",
                Controller = true,
            },
        ];
        for (int i = 0, made = 0; made < replicas; i++)
        {
            var podName = $"{name}-{i}";
            if (live > 0 && liveOwners.HasPod($"{ns}/{podName}"))
            {
                // A StatefulSet's running cache-0 is in the dump: its missing replica is cache-1, not a second cache-0.
                continue;
            }

            made++;
            ClaimPodName(doc, $"{ns}/{podName}", $"{doc.Kind} {name} makes pod {ns}/{podName}, which");
            _pods.Add(new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta
                {
                    Name = podName,
                    NamespaceProperty = ns,
                    Uid = $"{ns}/{podName}",
                    Labels = template.Metadata?.Labels,
                    Annotations = template.Metadata?.Annotations,
                    OwnerReferences = owners,
                },
                Spec = template.Spec,
            });
        }
    }

    private void AddDaemonSet(ManifestDocument doc, V1DaemonSet daemonSet)
    {
        var name = RequireName(doc, daemonSet.Metadata);
        var ns = Namespace(daemonSet.Metadata);
        daemonSet.Metadata.NamespaceProperty = ns;
        if (daemonSet.Spec?.Template is null)
        {
            throw doc.Error("spec.template", "required");
        }

        RequirePodSpec(doc, daemonSet.Spec.Template.Spec, "spec.template.spec");
        ResourceChecks.CheckPodSpec(doc, daemonSet.Spec.Template.Spec, "spec.template.spec");
        Claim(_daemonSetNames, doc, $"{ns}/{name}", "DaemonSet");
        _daemonSets.Add(daemonSet);
    }

    private void AddNode(ManifestDocument doc, V1Node node)
    {
        var name = RequireName(doc, node.Metadata);
        ResourceChecks.CheckNodeStatus(doc, node.Status);
        Claim(_nodeNames, doc, name, "Node");
        _nodes.Add(node);
    }

    private void AddPdb(ManifestDocument doc, V1PodDisruptionBudget pdb)
    {
        var name = RequireName(doc, pdb.Metadata);
        var ns = Namespace(pdb.Metadata);
        pdb.Metadata.NamespaceProperty = ns;
        Claim(_pdbNames, doc, $"{ns}/{name}", "PodDisruptionBudget");
        _pdbs.Add(pdb);
    }

    private void ClaimPodName(ManifestDocument doc, string key, string? subject)
    {
        if (!_podNames.TryAdd(key, doc))
        {
            throw doc.Error("metadata.name", $"{subject ?? $"pod {key}"} is already defined in {_podNames[key].Describe()}");
        }
    }

    private static void Claim(Dictionary<string, ManifestDocument> names, ManifestDocument doc, string key, string kind)
    {
        if (!names.TryAdd(key, doc))
        {
            throw doc.Error("metadata.name", $"{kind} {key} is already defined in {names[key].Describe()}");
        }
    }

    private static string RequiredString(ManifestDocument doc, string field)
    {
        if (doc.PreRead)
        {
            // The streaming readers give an object only when its kind and apiVersion are single non-empty values.
            return field == "kind" ? doc.Kind! : doc.ApiVersion!;
        }

        var node = YamlFields.Get(doc.Root, field);
        if (YamlFields.IsNull(node))
        {
            throw doc.Error(field, "required");
        }

        return node is YamlScalarNode { Value: { Length: > 0 } text }
            ? text
            : throw doc.Error(field, $"line {node!.Start.Line}: expected a single value, found {YamlManifestReader.Describe(node)}");
    }

    private static void RequireApiVersion(ManifestDocument doc, string apiVersion, string expected)
    {
        if (apiVersion != expected)
        {
            throw doc.Error("apiVersion", $"{doc.Kind} {apiVersion} is not supported; use {expected}");
        }
    }

    private static string RequireName(ManifestDocument doc, V1ObjectMeta? metadata) =>
        string.IsNullOrEmpty(metadata?.Name) ? throw doc.Error("metadata.name", "required") : metadata.Name;

    private static string Namespace(V1ObjectMeta? metadata) =>
        string.IsNullOrEmpty(metadata?.NamespaceProperty) ? DefaultNamespace : metadata.NamespaceProperty;

    private static void RequirePodSpec(ManifestDocument doc, V1PodSpec? spec, string path)
    {
        if (spec is null)
        {
            throw doc.Error(path, "required");
        }

        if (spec.Containers is null || spec.Containers.Count == 0)
        {
            throw doc.Error(YamlFields.Join(path, "containers"), "at least one container is required");
        }
    }
}

using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// The resources served: the built-in ones the agent and kubectl use, plus every version a
/// CustomResourceDefinition marks as served. Read by discovery and by the router.
/// </summary>
internal sealed class ResourceRegistry
{
    private static readonly string[] PodFields =
    [
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
    ];

    private static readonly string[] EventFields =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ];

    private readonly object _gate = new();
    private readonly List<ResourceType> _types = [];

    public ResourceRegistry()
    {
        Add(Pods);
        Add(Core("nodes", "node", "Node", false, true, ["no"], []) with { SelectableFields = ["spec.unschedulable"] });
        Add(Namespaces);
        Add(Core("events", "event", "Event", true, false, ["ev"], []) with { SelectableFields = EventFields });
        Add(Core("configmaps", "configmap", "ConfigMap", true, false, ["cm"], []));
        Add(Core("secrets", "secret", "Secret", true, false, [], []) with { SelectableFields = ["type"] });
        Add(Core("services", "service", "Service", true, true, ["svc"], ["all"]));
        Add(Core("serviceaccounts", "serviceaccount", "ServiceAccount", true, false, ["sa"], []));
        Add(new ResourceType("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, true, ["ds"], ["all"]));
        Add(new ResourceType("apps", "v1", "deployments", "deployment", "Deployment", true, true, ["deploy"], ["all"]));
        Add(new ResourceType("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, true, ["rs"], ["all"]));
        Add(new ResourceType("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, true, ["sts"], ["all"]));
        Add(PodDisruptionBudgets);
        Add(new ResourceType("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, false, [], []));
        Add(new ResourceType("events.k8s.io", "v1", "events", "event", "Event", true, false, ["ev"], []));
        Add(new ResourceType("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, false, [], []));
        Add(new ResourceType("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, false, [], []));
        Add(new ResourceType("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, false, [], []));
        Add(new ResourceType("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, false, [], []));
        Add(CustomResourceDefinitions);
    }

    public static ResourceType Pods { get; } = Core("pods", "pod", "Pod", true, true, ["po"], ["all"]) with { SelectableFields = PodFields };

    public static ResourceType Namespaces { get; } = Core("namespaces", "namespace", "Namespace", false, true, ["ns"], []) with { SelectableFields = ["status.phase"] };

    public static ResourceType PodDisruptionBudgets { get; } =
        new("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, true, ["pdb"], []);

    public static ResourceType CustomResourceDefinitions { get; } =
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false, true, ["crd", "crds"], []);

    public ResourceType? Find(string group, string version, string plural)
    {
        lock (_gate)
        {
            return _types.Find(t => t.Group == group && t.Version == version && t.Plural == plural);
        }
    }

    public ResourceType? FindByKind(string apiVersion, string kind)
    {
        lock (_gate)
        {
            return _types.Find(t => t.ApiVersion == apiVersion && t.Kind == kind);
        }
    }

    public IReadOnlyList<ResourceType> All()
    {
        lock (_gate)
        {
            return [.. _types];
        }
    }

    /// <summary>The groups in the order discovery lists them: core first, then by registration.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups()
    {
        lock (_gate)
        {
            return _types.Where(t => t.Group.Length > 0)
                .GroupBy(t => t.Group)
                .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(t => t.Version).Distinct().ToList()))
                .ToList();
        }
    }

    /// <summary>Serves (or re-serves, on update) the versions a CustomResourceDefinition declares.</summary>
    public void ApplyDefinition(JsonObject crd)
    {
        var types = FromDefinition(crd);
        var name = crd["metadata"]?["name"].Str() ?? "";
        lock (_gate)
        {
            _types.RemoveAll(t => t.IsCustom && t.StorageKey == name);
            _types.AddRange(types);
        }
    }

    /// <summary>Stops serving what a deleted CustomResourceDefinition served.</summary>
    public void RemoveDefinition(string crdName)
    {
        lock (_gate)
        {
            _types.RemoveAll(t => t.IsCustom && t.StorageKey == crdName);
        }
    }

    /// <summary>
    /// The types a CRD defines; throws <see cref="ApiException"/> (422) naming the field when the
    /// definition lacks what serving needs.
    /// </summary>
    public static IReadOnlyList<ResourceType> FromDefinition(JsonObject crd)
    {
        var name = crd["metadata"]?["name"].Str() ?? "";
        var spec = crd["spec"] as JsonObject;
        string Required(JsonNode? node, string field) =>
            node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
                ? s
                : throw ApiException.Invalid(CustomResourceDefinitions, name, field, "Required value");
        var group = Required(spec?["group"], "spec.group");
        var names = spec?["names"] as JsonObject;
        var plural = Required(names?["plural"], "spec.names.plural");
        var kind = Required(names?["kind"], "spec.names.kind");
        var singular = names?["singular"].Str() ?? kind.ToLowerInvariant();
        var scope = Required(spec?["scope"], "spec.scope");
        if (scope is not ("Namespaced" or "Cluster"))
        {
            throw ApiException.Invalid(CustomResourceDefinitions, name, "spec.scope", $"Unsupported value: \"{scope}\": supported values: \"Cluster\", \"Namespaced\"");
        }

        if (name != $"{plural}.{group}")
        {
            throw ApiException.Invalid(CustomResourceDefinitions, name, "metadata.name", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group");
        }

        var shortNames = Strings(names?["shortNames"]);
        var categories = Strings(names?["categories"]);
        if (spec?["versions"] is not JsonArray versions || versions.Count == 0)
        {
            throw ApiException.Invalid(CustomResourceDefinitions, name, "spec.versions", "Required value: must have at least one version");
        }

        var result = new List<ResourceType>();
        var schemaErrors = new List<FieldError>();
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i] as JsonObject;
            var versionName = Required(version?["name"], $"spec.versions[{i}].name");

            // The real server refuses a non-structural schema; so does this one, so a CRD that is
            // accepted here is one a cluster accepts.
            var schema = version?["schema"]?["openAPIV3Schema"] is JsonObject openApi
                ? CustomResourceSchema.Parse(openApi, $"spec.versions[{i}].schema.openAPIV3Schema", schemaErrors)
                : null;
            if (version?["served"].Bool() != true)
            {
                continue;
            }

            var hasStatus = version["subresources"]?["status"] is JsonObject;
            var columns = version["additionalPrinterColumns"] is JsonArray printed
                ? printed.OfType<JsonObject>()
                    .Where(c => c["name"].Str() is not null && c["jsonPath"].Str() is not null)
                    .Select(c => new PrinterColumn(c["name"].Str()!, c["type"].Str() ?? "string", c["jsonPath"].Str()!, (int)(c["priority"].Int() ?? 0)))
                    .ToList()
                : [];
            result.Add(new ResourceType(group, versionName, plural, singular, kind, scope == "Namespaced", hasStatus, shortNames, categories)
            {
                IsCustom = true,
                PrinterColumns = columns,
                Schema = schema,
            });
        }

        if (schemaErrors.Count > 0)
        {
            throw ApiException.Invalid(CustomResourceDefinitions, name, schemaErrors);
        }

        return result;
    }

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? [.. a.Select(n => n.Str() ?? "").Where(s => s.Length > 0)] : [];

    private static ResourceType Core(string plural, string singular, string kind, bool namespaced, bool status, string[] shortNames, string[] categories) =>
        new("", "v1", plural, singular, kind, namespaced, status, shortNames, categories);

    private void Add(ResourceType type) => _types.Add(type);
}

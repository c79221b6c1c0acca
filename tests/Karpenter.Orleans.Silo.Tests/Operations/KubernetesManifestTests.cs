namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>deploy/kubernetes/base/silo: every manifest parses, kustomize lists them all but the example Secret, and the silo Deployment is production-shaped.</summary>
public sealed class KubernetesManifestTests
{
    private const string Folder = "deploy/kubernetes/base/silo";

    private static readonly Lazy<List<(string File, Dictionary<object, object?> Object)>> LazyObjects = new(LoadAll);

    private static List<(string File, Dictionary<object, object?> Object)> Objects => LazyObjects.Value;

    [Fact]
    public void Every_manifest_parses_and_has_api_version_kind_and_name()
    {
        var problems = new List<string>();
        foreach (var (file, obj) in Objects)
        {
            foreach (var field in new[] { "apiVersion", "kind" })
            {
                if (string.IsNullOrWhiteSpace(obj.Str(field)))
                {
                    problems.Add($"{file}: no {field}");
                }
            }

            if (obj.At("metadata", "name") is not string { Length: > 0 })
            {
                problems.Add($"{file}: no metadata.name");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(Objects.Count >= 10, $"only {Objects.Count} objects");
    }

    [Fact]
    public void Kustomization_lists_every_manifest_and_only_existing_ones_but_never_the_example_secret()
    {
        var kustomization = OpsFiles.ReadYamlMap($"{Folder}/kustomization.yaml");
        var listed = kustomization.List("resources").OfType<string>().ToHashSet(StringComparer.Ordinal);
        var files = ManifestFiles().Where(file => file != "kustomization.yaml").ToHashSet(StringComparer.Ordinal);

        // Applying the example would overwrite the real Secret (made with kubectl create secret) with placeholders.
        Assert.Equal(["secret.example.yaml"], files.Except(listed));
        Assert.Empty(listed.Except(files));
    }

    [Theory]
    [InlineData("Namespace")]
    [InlineData("ServiceAccount")]
    [InlineData("Role")]
    [InlineData("RoleBinding")]
    [InlineData("Secret")]
    [InlineData("ConfigMap")]
    [InlineData("Deployment")]
    [InlineData("Service")]
    [InlineData("PodDisruptionBudget")]
    public void Has_the_kind(string kind)
    {
        Assert.Contains(Objects, entry => entry.Object.Str("kind") == kind);
    }

    [Fact]
    public void Deployment_runs_two_or_more_non_root_silos_with_probes_resources_and_orleans_hosting()
    {
        var deployment = One("Deployment");
        Assert.True(int.Parse(deployment.At("spec", "replicas") as string ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 2, "replicas < 2");

        var template = OpsFiles.AsMap(deployment.At("spec", "template"), "spec.template");
        var labels = OpsFiles.AsMap(template.At("metadata", "labels"), "template labels");
        Assert.True(labels.ContainsKey("orleans/serviceId"), "template label orleans/serviceId");
        Assert.True(labels.ContainsKey("orleans/clusterId"), "template label orleans/clusterId");
        var selector = OpsFiles.AsMap(deployment.At("spec", "selector", "matchLabels"), "selector");
        Assert.True(Selects(selector, labels), "the selector does not match the template labels");

        var pod = OpsFiles.AsMap(template["spec"], "pod spec");
        Assert.Equal("true", pod.At("securityContext", "runAsNonRoot"));
        var container = OpsFiles.AsMap(Assert.Single(pod.List("containers")), "container");
        Assert.Equal("true", container.At("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", container.At("securityContext", "allowPrivilegeEscalation"));
        Assert.NotNull(container.At("resources", "requests", "cpu"));
        Assert.NotNull(container.At("resources", "requests", "memory"));
        Assert.NotNull(container.At("resources", "limits", "memory"));

        var ports = container.List("ports").Select(node => OpsFiles.AsMap(node, "port")).ToList();
        foreach (var number in new[] { "5080", "11111", "30000" })
        {
            Assert.Contains(ports, port => port.Str("containerPort") == number);
        }

        var httpPortName = ports.Single(port => port.Str("containerPort") == "5080").Str("name");
        // Liveness asks only whether the process serves (a storage outage must not restart every silo);
        // startup and readiness whether the silo is an active member with working grain storage.
        foreach (var (probe, path) in new[] { ("startupProbe", "/readyz"), ("readinessProbe", "/readyz"), ("livenessProbe", "/livez") })
        {
            Assert.Equal(path, container.At(probe, "httpGet", "path"));
            Assert.Contains(container.At(probe, "httpGet", "port") as string, new[] { "5080", httpPortName });
        }

        var fieldRefs = container.List("env")
            .Select(node => OpsFiles.AsMap(node, "env"))
            .Where(env => env.At("valueFrom", "fieldRef", "fieldPath") is string)
            .ToDictionary(env => env.Str("name")!, env => (string)env.At("valueFrom", "fieldRef", "fieldPath")!, StringComparer.Ordinal);
        Assert.Equal("metadata.name", fieldRefs.GetValueOrDefault("POD_NAME"));
        Assert.Equal("metadata.namespace", fieldRefs.GetValueOrDefault("POD_NAMESPACE"));
        Assert.Equal("status.podIP", fieldRefs.GetValueOrDefault("POD_IP"));
        Assert.Equal("metadata.labels['orleans/serviceId']", fieldRefs.GetValueOrDefault("ORLEANS_SERVICE_ID"));
        Assert.Equal("metadata.labels['orleans/clusterId']", fieldRefs.GetValueOrDefault("ORLEANS_CLUSTER_ID"));
    }

    [Fact]
    public void Deployment_references_existing_service_account_config_map_and_secret()
    {
        var pod = OpsFiles.AsMap(One("Deployment").At("spec", "template", "spec"), "pod spec");
        Assert.Equal(One("ServiceAccount").At("metadata", "name"), pod.Str("serviceAccountName"));

        var container = OpsFiles.AsMap(Assert.Single(pod.List("containers")), "container");
        var sources = container.List("envFrom").Select(node => OpsFiles.AsMap(node, "envFrom")).ToList();
        Assert.Contains(sources, source => source.At("configMapRef", "name") is string name && name == (string?)One("ConfigMap").At("metadata", "name"));
        Assert.Contains(sources, source => source.At("secretRef", "name") is string name && name == (string?)One("Secret").At("metadata", "name"));
    }

    [Fact]
    public void Role_lets_orleans_hosting_watch_and_delete_pods_and_is_bound_to_the_silo()
    {
        var role = One("Role");
        var rules = role.List("rules").Select(node => OpsFiles.AsMap(node, "rule")).ToList();
        var podRule = Assert.Single(rules, rule => rule.List("resources").OfType<string>().Contains("pods"));
        Assert.Equal(["delete", "get", "list", "watch"], podRule.List("verbs").OfType<string>().Order(StringComparer.Ordinal));

        var binding = One("RoleBinding");
        Assert.Equal("Role", binding.At("roleRef", "kind"));
        Assert.Equal(role.At("metadata", "name"), binding.At("roleRef", "name"));
        var subject = OpsFiles.AsMap(Assert.Single(binding.List("subjects")), "subject");
        Assert.Equal("ServiceAccount", subject.Str("kind"));
        Assert.Equal(One("ServiceAccount").At("metadata", "name"), subject.Str("name"));
    }

    [Fact]
    public void Service_and_pod_disruption_budget_select_the_silo_pods()
    {
        var podLabels = OpsFiles.AsMap(One("Deployment").At("spec", "template", "metadata", "labels"), "template labels");

        var service = One("Service");
        Assert.True(Selects(OpsFiles.AsMap(service.At("spec", "selector"), "service selector"), podLabels), "Service selector");
        Assert.Contains(service.At("spec", "ports") as List<object?> ?? [], node => OpsFiles.AsMap(node, "port").Str("port") == "5080");

        var budget = One("PodDisruptionBudget");
        Assert.True(Selects(OpsFiles.AsMap(budget.At("spec", "selector", "matchLabels"), "pdb selector"), podLabels), "PodDisruptionBudget selector");
        Assert.True(budget.At("spec", "maxUnavailable") is not null || budget.At("spec", "minAvailable") is not null);
    }

    [Fact]
    public void Config_map_selects_postgres_and_kubernetes_hosting_without_the_simulated_fleet()
    {
        var data = OpsFiles.AsMap(One("ConfigMap")["data"], "ConfigMap data");

        Assert.Equal("PostgreSql", data.Str("Karpo__Storage__Provider"));
        Assert.Equal("true", data.Str("Karpo__Hosting__Kubernetes"));
        Assert.Equal("false", data.Str("Karpo__SimulatedFleet__Enabled"));
        Assert.Equal("http://+:5080", data.Str("ASPNETCORE_URLS"));

        // The Orleans dashboard streams the silo's log: never on in the shipped manifests.
        Assert.Equal("false", data.Str("Karpo__Dashboard__Enabled"));
    }

    [Fact]
    public void Secret_example_holds_only_marked_placeholders()
    {
        var secret = One("Secret");
        var values = OpsFiles.AsMap(secret["stringData"], "stringData");

        Assert.All(values.Values.Cast<string>(), value => Assert.Contains("REPLACE_ME", value, StringComparison.Ordinal));
        Assert.Contains("Karpo__Storage__ConnectionString", values.Keys.Cast<string>());
        Assert.Contains("Karpo__Auth__AdminToken", values.Keys.Cast<string>());
        Assert.Contains("Karpo__Auth__ReadTokens__0", values.Keys.Cast<string>());
    }

    private static Dictionary<object, object?> One(string kind)
    {
        var matches = Objects.Where(entry => entry.Object.Str("kind") == kind).ToList();
        Assert.True(matches.Count == 1, $"expected one {kind}, found {matches.Count}");
        return matches[0].Object;
    }

    private static bool Selects(Dictionary<object, object?> selector, Dictionary<object, object?> labels) =>
        selector.Count > 0 && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && Equals(value, pair.Value));

    private static IEnumerable<string> ManifestFiles() =>
        Directory.GetFiles(OpsFiles.PathOf(Folder))
            .Where(path => path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

    private static List<(string File, Dictionary<object, object?> Object)> LoadAll()
    {
        var objects = new List<(string, Dictionary<object, object?>)>();
        foreach (var file in ManifestFiles())
        {
            var documents = OpsFiles.ParseYamlDocuments(OpsFiles.Read($"{Folder}/{file}")).Where(document => document is not null).ToList();
            Assert.True(documents.Count > 0, $"{file}: empty");
            objects.AddRange(documents.Select(document => (file, OpsFiles.AsMap(document, file))));
        }

        return objects;
    }
}

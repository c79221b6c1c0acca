using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using static Karpenter.Orleans.Kubernetes.ApiServer.Tests.ApiServerFixture;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

/// <summary>
/// deploy/ against the real kubectl and the API server: every base and overlay renders with
/// kustomize and applies; the CRDs store the NodePools and EC2NodeClasses users have, print them as
/// Karpenter does, and refuse what kube-apiserver refuses, naming the field.
/// </summary>
public sealed class DeployManifestTests
{
    public static TheoryData<string> Kustomizations() => [.. RepositoryFiles.Kustomizations()];

    [Fact]
    public void Deploy_has_the_crds_the_silo_and_agent_bases_and_their_overlays()
    {
        Assert.Subset(RepositoryFiles.Kustomizations().ToHashSet(), new HashSet<string>
        {
            "deploy/crds",
            "deploy/kubernetes/base/silo",
            "deploy/kubernetes/base/agent",
            "deploy/kubernetes/base/monitoring",
            "deploy/kubernetes/overlays/production",
            "deploy/kubernetes/overlays/agent",
        });
    }

    [SkippableTheory]
    [MemberData(nameof(Kustomizations))]
    public async Task Every_kustomization_renders_and_its_objects_apply_to_the_api_server(string folder)
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var kubectl = new Kubectl(server);

        var rendered = await kubectl.SucceedsAsync("kustomize", RepositoryFiles.PathOf(folder));
        var objects = RepositoryFiles.CountDocuments(rendered);
        Assert.True(objects > 0, $"{folder} renders nothing");

        // What a cluster already has before this folder is applied: the Karpenter CRDs for an agent
        // base without them, the Prometheus Operator's for the monitoring objects, and the namespace
        // of objects (the monitoring ones) that go next to the silos.
        await kubectl.SucceedsAsync("apply", "-f", TestData("prometheus-operator-crds.yaml"));
        if (!rendered.Contains("kind: CustomResourceDefinition", StringComparison.Ordinal))
        {
            await kubectl.SucceedsAsync("apply", "-k", RepositoryFiles.PathOf("deploy/crds"));
        }

        foreach (var ns in RepositoryFiles.NamespacesUsedButNotCreated(rendered))
        {
            await kubectl.SucceedsWithInputAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n", "apply", "-f", "-");
        }

        var applied = await kubectl.SucceedsWithInputAsync(rendered, "apply", "-f", "-");
        var again = await kubectl.SucceedsWithInputAsync(rendered, "apply", "-f", "-");

        var lines = applied.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(objects, lines.Length);
        Assert.All(lines, line => Assert.EndsWith(" created", line, StringComparison.Ordinal));
        // kubectl always re-sends a PodDisruptionBudget's selector (its patch strategy is replace),
        // so it reports those "configured" against any server; everything else is unchanged.
        Assert.All(again.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.True(
            line.EndsWith(" unchanged", StringComparison.Ordinal) || (line.StartsWith("poddisruptionbudget.policy/", StringComparison.Ordinal) && line.EndsWith(" configured", StringComparison.Ordinal)),
            line));
    }

    [SkippableFact]
    public async Task The_agent_overlay_carries_the_crds_and_this_clusters_id_and_service_address()
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var kubectl = new Kubectl(server);

        var rendered = await kubectl.SucceedsAsync("kustomize", RepositoryFiles.PathOf("deploy/kubernetes/overlays/agent"));
        await kubectl.SucceedsWithInputAsync(rendered, "apply", "-f", "-");

        using var client = server.CreateClient();
        var crds = await client.ApiextensionsV1.ListCustomResourceDefinitionAsync();
        var settings = await client.CoreV1.ReadNamespacedConfigMapAsync("karpo-agent", "karpo-system");
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("karpo-agent", "karpo-system");
        Assert.Equal(["ec2nodeclasses.karpenter.k8s.aws", "nodeclaims.karpenter.sh", "nodepools.karpenter.sh"], crds.Items.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.Equal("prod-eu-west-1", settings.Data["Agent__ClusterId"]);
        Assert.Equal("https://karpo.example.com", settings.Data["Agent__ServiceUrl"]);
        Assert.Equal("/var/run/secrets/karpo/token", settings.Data["Agent__TokenFile"]);
        Assert.DoesNotContain("REPLACE_ME", string.Join(' ', settings.Data.Values), StringComparison.Ordinal);
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.StartsWith("ghcr.io/", container.Image, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_crds_store_the_users_nodepools_and_ec2nodeclasses_and_kubectl_prints_karpenters_columns()
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        using var kubectl = new Kubectl(server);
        var manifests = RepositoryFiles.KarpenterManifests();
        Assert.Contains(manifests, m => m.File.StartsWith("examples/", StringComparison.Ordinal) && m.Kind == "EC2NodeClass");
        Assert.Contains(manifests, m => m.File.StartsWith("examples/", StringComparison.Ordinal) && m.Kind == "NodePool");
        Assert.Contains(manifests, m => m.File.Contains("/TestData/", StringComparison.Ordinal));

        await kubectl.SucceedsAsync("apply", "-k", RepositoryFiles.PathOf("deploy/crds"));
        var failures = new List<string>();
        foreach (var (file, kind, name, yaml) in manifests)
        {
            var (code, output, error) = await kubectl.RunWithInputAsync(yaml, "apply", "-f", "-");
            if (code != 0 || output.Contains("Warning", StringComparison.Ordinal) || error.Contains("Warning", StringComparison.Ordinal))
            {
                failures.Add($"{file} {kind}/{name}: {output}{error}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        await kubectl.SucceedsAsync("apply", "-f", TestData("nodeclaim.yaml"));
        await client.CustomObjects.PatchClusterCustomObjectStatusAsync(new V1Patch(
            """{"status":{"resources":{"cpu":"2","memory":"8Gi","nodes":"1"},"conditions":[{"type":"Ready","status":"True","reason":"Ready","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""",
            V1Patch.PatchType.MergePatch), "karpenter.sh", "v1", "nodepools", "general");
        await client.CustomObjects.PatchClusterCustomObjectStatusAsync(new V1Patch(
            """{"status":{"nodeName":"ip-10-0-1-17.eu-west-1.compute.internal","providerID":"aws:///eu-west-1b/i-0123456789abcdef0","conditions":[{"type":"Ready","status":"True","reason":"Ready","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""",
            V1Patch.PatchType.MergePatch), "karpenter.sh", "v1", "nodeclaims", "general-x7k2p");

        var table = await kubectl.SucceedsAsync("get", "nodepools,nodeclaims");
        var wide = await kubectl.SucceedsAsync("get", "nodeclaims", "-o", "wide");
        var classes = await kubectl.SucceedsAsync("get", "ec2nc");

        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Collapse).ToList();
        Assert.Contains("NAME NODECLASS NODES READY AGE", lines);
        Assert.Contains("NAME TYPE CAPACITY ZONE NODE READY AGE", lines);
        Assert.Contains(lines, l => l.StartsWith("nodepool.karpenter.sh/general default 1 True ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("nodeclaim.karpenter.sh/general-x7k2p m6i.large spot eu-west-1b ip-10-0-1-17.eu-west-1.compute.internal True ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("nodepool.karpenter.sh/spot-balanced al2023 ", StringComparison.Ordinal));
        Assert.StartsWith("NAME TYPE CAPACITY ZONE NODE READY AGE IMAGEID ID NODEPOOL NODECLASS DRIFTED", Collapse(wide), StringComparison.Ordinal);
        Assert.Contains("aws:///eu-west-1b/i-0123456789abcdef0 general default", Collapse(wide), StringComparison.Ordinal);
        Assert.StartsWith("NAME READY AGE", Collapse(classes), StringComparison.Ordinal);
        foreach (var name in manifests.Where(m => m.Kind == "EC2NodeClass").Select(m => m.Name).Distinct())
        {
            Assert.Contains($"\n{name} ", classes, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Stored_nodepools_and_ec2nodeclasses_get_karpenters_defaults()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await InstallDeployCrdsAsync(client);
        var minimal = KarpenterObject("minimal");

        var pool = (JsonElement)await client.CustomObjects.CreateClusterCustomObjectAsync(minimal, "karpenter.sh", "v1", "nodepools");
        var nodeClass = (JsonElement)await client.CustomObjects.CreateClusterCustomObjectAsync(
            YamlJson.Parse(RepositoryFiles.KarpenterManifests().First(m => m.Name == "al2023").Yaml)!, "karpenter.k8s.aws", "v1", "ec2nodeclasses");

        var spec = pool.GetProperty("spec");
        Assert.Equal("720h", spec.GetProperty("template").GetProperty("spec").GetProperty("expireAfter").GetString());
        Assert.Equal("WhenEmptyOrUnderutilized", spec.GetProperty("disruption").GetProperty("consolidationPolicy").GetString());
        Assert.Equal("0s", spec.GetProperty("disruption").GetProperty("consolidateAfter").GetString());
        Assert.Equal("10%", Assert.Single(spec.GetProperty("disruption").GetProperty("budgets").EnumerateArray()).GetProperty("nodes").GetString());
        var imds = nodeClass.GetProperty("spec").GetProperty("metadataOptions");
        Assert.Equal("optional", imds.GetProperty("httpTokens").GetString());
        Assert.Equal("enabled", imds.GetProperty("httpEndpoint").GetString());
        Assert.Equal(1, imds.GetProperty("httpPutResponseHopLimit").GetInt32());
    }

    /// <summary>A manifest kube-apiserver refuses, and the field its error names.</summary>
    public static TheoryData<string, string, string, string> Rejected() => new()
    {
        { "nodepools", "spec:\n  weight: 101\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}}", "spec.weight", "should be less than or equal to 100" },
        { "nodepools", "spec:\n  weight: 0\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}}", "spec.weight", "should be greater than or equal to 1" },
        { "nodepools", "spec:\n  weight: heavy\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}}", "spec.weight", "must be of type integer" },
        { "nodepools", "spec:\n  template: {spec: {requirements: []}}", "spec.template.spec.nodeClassRef", "Required value" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {kind: EC2NodeClass, name: default}}}", "spec.template.spec.nodeClassRef.group", "Required value" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}}\n  disruption: {consolidationPolicy: Sometimes}", "spec.disruption.consolidationPolicy", "Unsupported value: \"Sometimes\"" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}, requirements: [{key: kubernetes.io/arch, operator: Maybe, values: [amd64]}]}}", "spec.template.spec.requirements[0].operator", "Unsupported value" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}, requirements: [{key: kubernetes.io/arch, operator: In, values: [amd64], minValues: 0}]}}", "spec.template.spec.requirements[0].minValues", "greater than or equal to 1" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}, requirements: [{key: kubernetes.io/arch, operator: In, values: []}]}}", "spec.template.spec.requirements[0].values", "should have at least 1 items" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}, requirements: [{key: karpenter.k8s.aws/instance-cpu, operator: Gt, values: [\"4\", \"8\"]}]}}", "spec.template.spec.requirements[0].values", "must have at most 1 items" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}, requirements: [{key: karpenter.k8s.aws/instance-cpu, operator: Lt, values: [many]}]}}", "spec.template.spec.requirements[0].values[0]", "should match '^[0-9]+$'" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}, expireAfter: 30d}}", "spec.template.spec.expireAfter", "should match" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}, taints: [{key: dedicated, effect: NoWay}]}}", "spec.template.spec.taints[0].effect", "Unsupported value: \"NoWay\"" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}}\n  disruption: {budgets: [{nodes: \"110%\"}]}", "spec.disruption.budgets[0].nodes", "should match" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}}\n  disruption: {budgets: [{nodes: \"0\", schedule: \"0 9 * * *\"}]}", "spec.disruption.budgets[0].duration", "Required value" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}}\n  disruption: {budgets: [{nodes: \"1\", reasons: [Expired]}]}", "spec.disruption.budgets[0].reasons[0]", "Unsupported value: \"Expired\"" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}}\n  limits: {cpu: lots}", "spec.limits.cpu", "should match" },
        { "nodepools", "spec:\n  template: {spec: {nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}, surprise: true}}", "spec.template.spec.surprise", "unknown field" },
        { "ec2nodeclasses", "spec:\n  amiFamily: Ubuntu\n  role: r\n  amiSelectorTerms: [{alias: al2023@latest}]\n  subnetSelectorTerms: [{id: subnet-0a1b2c}]\n  securityGroupSelectorTerms: [{id: sg-0a1b2c}]", "spec.amiFamily", "Unsupported value: \"Ubuntu\"" },
        { "ec2nodeclasses", "spec:\n  role: r\n  amiSelectorTerms: [{alias: al2023@latest}]\n  securityGroupSelectorTerms: [{id: sg-0a1b2c}]", "spec.subnetSelectorTerms", "Required value" },
        { "ec2nodeclasses", "spec:\n  role: r\n  amiSelectorTerms: [{alias: al2023@latest}]\n  subnetSelectorTerms: [{}]\n  securityGroupSelectorTerms: [{id: sg-0a1b2c}]", "spec.subnetSelectorTerms[0]", "should have at least 1 properties" },
        { "ec2nodeclasses", "spec:\n  role: r\n  amiSelectorTerms: [{alias: al2023@latest}]\n  subnetSelectorTerms: [{id: vpc-0a1b2c}]\n  securityGroupSelectorTerms: [{id: sg-0a1b2c}]", "spec.subnetSelectorTerms[0].id", "should match" },
        { "ec2nodeclasses", "spec:\n  role: r\n  instanceProfile: p\n  amiSelectorTerms: [{alias: al2023@latest}]\n  subnetSelectorTerms: [{id: subnet-0a1b2c}]\n  securityGroupSelectorTerms: [{id: sg-0a1b2c}]", "spec", "must validate one and only one schema (oneOf)" },
        { "ec2nodeclasses", "spec:\n  role: r\n  amiSelectorTerms: [{alias: al2023@latest}]\n  subnetSelectorTerms: [{id: subnet-0a1b2c}]\n  securityGroupSelectorTerms: [{id: sg-0a1b2c}]\n  metadataOptions: {httpPutResponseHopLimit: 65}", "spec.metadataOptions.httpPutResponseHopLimit", "less than or equal to 64" },
        { "ec2nodeclasses", "spec:\n  role: r\n  amiSelectorTerms: [{alias: al2023@latest}]\n  subnetSelectorTerms: [{id: subnet-0a1b2c}]\n  securityGroupSelectorTerms: [{id: sg-0a1b2c}]\n  blockDeviceMappings: [{deviceName: /dev/xvda, ebs: {volumeSize: 20Gi, volumeType: gp9}}]", "spec.blockDeviceMappings[0].ebs.volumeType", "Unsupported value: \"gp9\"" },
    };

    [SkippableTheory]
    [MemberData(nameof(Rejected))]
    public async Task Kubectl_apply_of_what_the_kubernetes_api_refuses_fails_naming_the_field(string plural, string spec, string field, string why)
    {
        Kubectl.SkipUnlessInstalled();
        await using var server = await StartAsync();
        using var kubectl = new Kubectl(server);
        await kubectl.SucceedsAsync("apply", "-k", RepositoryFiles.PathOf("deploy/crds"));
        var (apiVersion, kind) = plural == "nodepools" ? ("karpenter.sh/v1", "NodePool") : ("karpenter.k8s.aws/v1", "EC2NodeClass");
        var manifest = $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: bad\n{spec}\n";

        var (code, output, error) = await kubectl.RunWithInputAsync(manifest, "apply", "-f", "-");

        Assert.NotEqual(0, code);
        Assert.Contains(field, error, StringComparison.Ordinal);
        Assert.Contains(why, error, StringComparison.Ordinal);
        Assert.DoesNotContain("created", output, StringComparison.Ordinal);
        var list = await kubectl.SucceedsAsync("get", plural, "-o", "name");
        Assert.Equal("", list);
    }

    [Fact]
    public async Task A_refused_nodepool_answers_422_with_causes_naming_each_field()
    {
        await using var server = await StartAsync();
        using var client = server.CreateClient();
        await InstallDeployCrdsAsync(client);
        var pool = KarpenterObject("bad");
        var spec = (Dictionary<string, object>)pool["spec"];
        spec["weight"] = 500;
        spec["disruption"] = new Dictionary<string, object> { ["consolidationPolicy"] = "Never" };
        ((Dictionary<string, object>)((Dictionary<string, object>)spec["template"])["spec"]).Remove("nodeClassRef");

        var status = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => client.CustomObjects.CreateClusterCustomObjectAsync(pool, "karpenter.sh", "v1", "nodepools"));

        Assert.Equal("Invalid", status.Reason);
        Assert.Equal("NodePool", status.Details.Kind);
        Assert.Equal("karpenter.sh", status.Details.Group);
        Assert.Equal("bad", status.Details.Name);
        Assert.Equal(
            [("spec.disruption.consolidationPolicy", "FieldValueNotSupported"), ("spec.template.spec.nodeClassRef", "FieldValueRequired"), ("spec.weight", "FieldValueInvalid")],
            status.Details.Causes.Select(c => (c.Field, c.Reason)).OrderBy(c => c.Field, StringComparer.Ordinal));
        Assert.StartsWith("NodePool.karpenter.sh \"bad\" is invalid: [", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_agents_cluster_role_grants_exactly_what_the_agent_does_and_no_wildcard()
    {
        // What the agent does (docs/agent.md, "RBAC"): (group, resource) -> verbs.
        var needed = new Dictionary<(string, string), string[]>
        {
            [("", "pods")] = ["get", "list", "watch", "delete"],
            [("", "pods/eviction")] = ["create"],
            [("", "nodes")] = ["get", "list", "watch", "patch", "delete"],
            [("", "events")] = ["create", "get", "patch"],
            [("apps", "daemonsets")] = ["get", "list", "watch"],
            [("policy", "poddisruptionbudgets")] = ["get", "list", "watch"],
            [("karpenter.sh", "nodepools")] = ["get", "list", "watch"],
            [("karpenter.sh", "nodepools/status")] = ["get", "patch", "update"],
            [("karpenter.sh", "nodeclaims")] = ["get", "list", "watch", "create", "update", "patch", "delete"],
            [("karpenter.sh", "nodeclaims/status")] = ["get", "patch", "update"],
            [("karpenter.k8s.aws", "ec2nodeclasses")] = ["get", "list", "watch"],
            [("karpenter.k8s.aws", "ec2nodeclasses/status")] = ["get", "patch", "update"],
        };
        var role = KubernetesYaml.Deserialize<V1ClusterRole>(File.ReadAllText(RepositoryFiles.PathOf("deploy/kubernetes/base/agent/clusterrole.yaml")));

        var granted = new Dictionary<(string, string), HashSet<string>>();
        foreach (var rule in role.Rules)
        {
            Assert.Null(rule.NonResourceURLs);
            Assert.Null(rule.ResourceNames);
            foreach (var value in rule.ApiGroups.Concat(rule.Resources).Concat(rule.Verbs))
            {
                Assert.DoesNotContain("*", value, StringComparison.Ordinal);
            }

            foreach (var (group, resource) in rule.ApiGroups.SelectMany(g => rule.Resources.Select(r => (g, r))))
            {
                if (!granted.TryGetValue((group, resource), out var verbs))
                {
                    granted[(group, resource)] = verbs = [];
                }

                verbs.UnionWith(rule.Verbs);
            }
        }

        var missing = needed.SelectMany(n => n.Value.Where(v => !granted.GetValueOrDefault(n.Key, []).Contains(v)).Select(v => $"{n.Key.Item1}/{n.Key.Item2}:{v}")).ToList();
        var extra = granted.SelectMany(g => g.Value.Where(v => !needed.GetValueOrDefault(g.Key, []).Contains(v)).Select(v => $"{g.Key.Item1}/{g.Key.Item2}:{v}")).ToList();
        Assert.True(missing.Count == 0, "the agent needs, the ClusterRole does not grant: " + string.Join(", ", missing));
        Assert.True(extra.Count == 0, "the ClusterRole grants what the agent does not do: " + string.Join(", ", extra));
        Assert.DoesNotContain(granted.Keys, key => key.Item2 == "secrets");

        // docs/agent.md explains the same rules, row by row: group(s), resource, verbs.
        var documented = new Dictionary<(string, string), HashSet<string>>();
        var rbac = File.ReadAllText(RepositoryFiles.PathOf("docs/agent.md")).Split("## RBAC")[1].Split("\n## ")[0];
        foreach (var row in rbac.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| API group", StringComparison.Ordinal) && !l.StartsWith("|---", StringComparison.Ordinal)))
        {
            var cells = row.Split('|').Select(c => c.Trim()).ToArray();
            var groups = cells[1].Split(',').Select(g => g.Trim().Trim('`')).Select(g => g == "core" ? "" : g);
            var resource = cells[2].Trim('`');
            foreach (var group in groups)
            {
                documented[(group, resource)] = [.. cells[3].Split(',').Select(v => v.Trim())];
            }
        }

        Assert.Equal(granted.Keys.Order().Select(k => $"{k.Item1}/{k.Item2}: {string.Join(",", granted[k].Order(StringComparer.Ordinal))}"),
            documented.Keys.Order().Select(k => $"{k.Item1}/{k.Item2}: {string.Join(",", documented[k].Order(StringComparer.Ordinal))}"));
    }

    [Fact]
    public void The_agent_may_renew_only_its_own_lease_in_its_namespace_and_is_bound_to_both_roles()
    {
        var folder = "deploy/kubernetes/base/agent/";
        var role = KubernetesYaml.Deserialize<V1Role>(File.ReadAllText(RepositoryFiles.PathOf(folder + "role.yaml")));
        var binding = KubernetesYaml.Deserialize<V1RoleBinding>(File.ReadAllText(RepositoryFiles.PathOf(folder + "rolebinding.yaml")));
        var clusterBinding = KubernetesYaml.Deserialize<V1ClusterRoleBinding>(File.ReadAllText(RepositoryFiles.PathOf(folder + "clusterrolebinding.yaml")));
        var settings = KubernetesYaml.Deserialize<V1ConfigMap>(File.ReadAllText(RepositoryFiles.PathOf(folder + "configmap.yaml")));

        Assert.Equal("karpo-system", role.Metadata.NamespaceProperty);
        Assert.All(role.Rules, rule => Assert.Equal(["coordination.k8s.io"], rule.ApiGroups));
        Assert.All(role.Rules, rule => Assert.Equal(["leases"], rule.Resources));
        var renew = Assert.Single(role.Rules, rule => rule.ResourceNames is not null);
        Assert.Equal([settings.Data["Agent__LeaseName"]], renew.ResourceNames);
        Assert.Equal(["get", "patch", "update"], renew.Verbs.Order(StringComparer.Ordinal));
        Assert.Equal(["create"], Assert.Single(role.Rules, rule => rule.ResourceNames is null).Verbs);
        Assert.Equal(role.Metadata.NamespaceProperty, settings.Data["Agent__LeaseNamespace"]);
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        Assert.Equal("karpo-agent", clusterBinding.RoleRef.Name);
        foreach (var subject in new[] { Assert.Single(binding.Subjects), Assert.Single(clusterBinding.Subjects) })
        {
            Assert.Equal(("ServiceAccount", "karpo-agent", "karpo-system"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        }
    }

    [Fact]
    public void The_agent_runs_two_non_root_replicas_with_its_pod_name_its_token_file_and_no_invented_probes()
    {
        var deployment = KubernetesYaml.Deserialize<V1Deployment>(File.ReadAllText(RepositoryFiles.PathOf("deploy/kubernetes/base/agent/deployment.yaml")));
        var settings = KubernetesYaml.Deserialize<V1ConfigMap>(File.ReadAllText(RepositoryFiles.PathOf("deploy/kubernetes/base/agent/configmap.yaml")));
        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);

        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("karpo-agent", pod.ServiceAccountName);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.NotNull(container.Resources.Requests["cpu"]);
        Assert.NotNull(container.Resources.Requests["memory"]);
        Assert.NotNull(container.Resources.Limits["memory"]);
        Assert.Equal("metadata.name", container.Env.Single(e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Null(container.LivenessProbe);
        Assert.Null(container.ReadinessProbe);
        Assert.Null(container.Ports);

        // The token is a mounted file at Agent__TokenFile, never an environment variable.
        var tokenFile = settings.Data["Agent__TokenFile"];
        var mount = Assert.Single(container.VolumeMounts, m => tokenFile.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        var volume = Assert.Single(pod.Volumes, v => v.Name == mount.Name);
        Assert.Equal("karpo-agent-token", volume.Secret.SecretName);
        Assert.Equal(Path.GetFileName(tokenFile), Assert.Single(volume.Secret.Items).Path);
        Assert.DoesNotContain(container.Env, e => e.ValueFrom?.SecretKeyRef is not null);
        Assert.Equal("karpo-agent", Assert.Single(container.EnvFrom).ConfigMapRef.Name);
    }

    [Fact]
    public void The_agent_image_publishes_the_agent_project_runs_it_as_non_root_and_copies_only_files_that_exist()
    {
        var dockerfile = File.ReadAllText(RepositoryFiles.PathOf("deploy/docker/Dockerfile.agent"));
        var lines = dockerfile.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.Contains(lines, l => l.StartsWith("dotnet publish src/Karpenter.Orleans.Agent/Karpenter.Orleans.Agent.csproj", StringComparison.Ordinal));
        Assert.True(File.Exists(RepositoryFiles.PathOf("src/Karpenter.Orleans.Agent/Karpenter.Orleans.Agent.csproj")));
        Assert.Contains("<AssemblyName>karpo-agent</AssemblyName>", File.ReadAllText(RepositoryFiles.PathOf("src/Karpenter.Orleans.Agent/Karpenter.Orleans.Agent.csproj")), StringComparison.Ordinal);
        Assert.Equal("ENTRYPOINT [\"dotnet\", \"karpo-agent.dll\"]", lines[^1]);
        Assert.Equal("USER $APP_UID", lines[^2]);
        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal)))
        {
            foreach (var source in copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1])
            {
                Assert.True(File.Exists(RepositoryFiles.PathOf(source)) || Directory.Exists(RepositoryFiles.PathOf(source)), $"Dockerfile.agent copies {source}, which does not exist");
            }
        }
    }

    [Fact]
    public void Example_secrets_hold_only_placeholders_and_no_kustomization_lists_them()
    {
        var examples = Directory.GetFiles(RepositoryFiles.PathOf("deploy"), "*.example.yaml", SearchOption.AllDirectories);
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            var secret = KubernetesYaml.Deserialize<V1Secret>(File.ReadAllText(example));
            Assert.All(secret.StringData.Values, value => Assert.Contains("REPLACE_ME", value, StringComparison.Ordinal));
            var kustomization = File.ReadAllText(Path.Combine(Path.GetDirectoryName(example)!, "kustomization.yaml"));
            Assert.DoesNotContain(Path.GetFileName(example), string.Join('\n', kustomization.Split('\n').Where(l => !l.TrimStart().StartsWith('#'))), StringComparison.Ordinal);
        }
    }

    private static string Collapse(string text) => string.Join(' ', text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static Dictionary<string, object> KarpenterObject(string name) => new()
    {
        ["apiVersion"] = "karpenter.sh/v1",
        ["kind"] = "NodePool",
        ["metadata"] = new Dictionary<string, object> { ["name"] = name },
        ["spec"] = new Dictionary<string, object>
        {
            ["template"] = new Dictionary<string, object>
            {
                ["spec"] = new Dictionary<string, object>
                {
                    ["nodeClassRef"] = new Dictionary<string, object> { ["group"] = "karpenter.k8s.aws", ["kind"] = "EC2NodeClass", ["name"] = "default" },
                },
            },
        },
    };

    internal static async Task InstallDeployCrdsAsync(IKubernetes client)
    {
        foreach (var file in Directory.GetFiles(RepositoryFiles.PathOf("deploy/crds"), "*_*.yaml").Order(StringComparer.Ordinal))
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file)));
        }
    }
}

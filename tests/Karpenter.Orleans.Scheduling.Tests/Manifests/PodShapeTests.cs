namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

/// <summary>
/// Pod fields the Kubernetes API server would refuse and the solver relies on (a spread's topology key and
/// maxSkew, an affinity term's topology key) are refused where manifests are read, as the agent stream does.
/// </summary>
public sealed class PodShapeTests
{
    [Theory]
    [InlineData("maxSkew: 0\n      topologyKey: topology.kubernetes.io/zone", "spec.topologySpreadConstraints[0].maxSkew", "line 11: \"0\" must be at least 1")]
    [InlineData("maxSkew: 1", "spec.topologySpreadConstraints[0].topologyKey", "is required")]
    [InlineData("maxSkew: 1\n      minDomains: 0\n      topologyKey: topology.kubernetes.io/zone", "spec.topologySpreadConstraints[0].minDomains", "line 12: \"0\" must be at least 1 when set")]
    public void A_spread_constraint_kube_apiserver_refuses_is_refused(string fields, string field, string message)
    {
        var ex = ManifestAssert.Rejects($$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: { app: web }
            spec:
              containers:
                - name: c
                  image: app
              topologySpreadConstraints:
                - {{fields}}
                  whenUnsatisfiable: DoNotSchedule
                  labelSelector: { matchLabels: { app: web } }
            """, 1, field, message);

        Assert.Contains("(Pod web)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_workload_whose_template_has_maxSkew_zero_is_refused_naming_the_workload()
    {
        ManifestAssert.Rejects("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 3
              template:
                metadata:
                  labels: { app: web }
                spec:
                  containers:
                    - name: c
                      image: app
                  topologySpreadConstraints:
                    - maxSkew: 0
                      topologyKey: topology.kubernetes.io/zone
                      whenUnsatisfiable: DoNotSchedule
                      labelSelector: { matchLabels: { app: web } }
            """, 1, "spec.template.spec.topologySpreadConstraints[0].maxSkew", "(Deployment web): spec.template.spec.topologySpreadConstraints[0].maxSkew: line 15: \"0\" must be at least 1");
    }

    [Fact]
    public void A_preferred_anti_affinity_term_without_its_topology_key_is_refused()
    {
        ManifestAssert.Rejects("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              containers:
                - name: c
                  image: app
              affinity:
                podAntiAffinity:
                  preferredDuringSchedulingIgnoredDuringExecution:
                    - weight: 10
                      podAffinityTerm:
                        labelSelector: { matchLabels: { app: web } }
            """, 1, "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey", "is required");
    }
}

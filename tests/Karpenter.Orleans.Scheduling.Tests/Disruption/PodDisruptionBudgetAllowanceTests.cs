using k8s.Models;
using Karpenter.Orleans.Scheduling.Disruption;

namespace Karpenter.Orleans.Scheduling.Tests.Disruption;

/// <summary>Allowed disruptions of a PodDisruptionBudget, as Kubernetes' disruption controller computes them.</summary>
public sealed class PodDisruptionBudgetAllowanceTests
{
    private static V1PodDisruptionBudget Pdb(IntOrString? min, IntOrString? max) => DisruptionCluster.Budget("web", "web", min, max);

    [Theory]
    [InlineData("2", null, 4, 4, 2)]
    [InlineData("4", null, 4, 4, 0)]
    [InlineData("4", null, 4, 3, 0)]
    [InlineData("50%", null, 5, 5, 2)] // 50% of 5 rounds up to 3 that must stay
    [InlineData(null, "1", 4, 4, 1)]
    [InlineData(null, "0", 4, 4, 0)]
    [InlineData(null, "1", 4, 3, 0)]   // one is already down
    [InlineData(null, "25%", 5, 5, 2)] // 25% of 5 rounds up to 2
    [InlineData(null, null, 3, 3, 3)]
    public void AllowedIsHealthyMinusWhatMustStay(string? min, string? max, int expected, int healthy, int allowed) =>
        Assert.Equal(allowed, PodDisruptionBudgetAllowance.Allowed(Pdb(min is null ? null : (IntOrString)min, max is null ? null : (IntOrString)max), expected, healthy));

    [Fact]
    public void OnlyRunningPodsOfItsNamespaceMatchingTheSelectorCount()
    {
        static V1Pod Pod(string name, string ns, string app, string? node, string phase) => new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app"] = app } },
            Spec = new V1PodSpec { NodeName = node },
            Status = new V1PodStatus { Phase = phase },
        };

        V1Pod[] pods =
        [
            Pod("web-0", "default", "web", "n1", "Running"),
            Pod("web-1", "default", "web", "n2", "Running"),
            Pod("web-2", "default", "web", null, "Pending"),
            Pod("web-3", "other", "web", "n1", "Running"),
            Pod("api-0", "default", "api", "n1", "Running"),
        ];

        // Three covered pods, two healthy; maxUnavailable 1 keeps two: nothing may go now.
        Assert.Equal(0, PodDisruptionBudgetAllowance.Allowed(Pdb(null, 1), pods));
        Assert.Equal(1, PodDisruptionBudgetAllowance.Allowed(Pdb(1, null), pods));
    }

    [Fact]
    public void AValueThatIsNeitherACountNorAPercentageNamesTheBudget()
    {
        var ex = Assert.Throws<ArgumentException>(() => PodDisruptionBudgetAllowance.Allowed(Pdb((IntOrString)"half", null), 2, 2));
        Assert.Contains("PodDisruptionBudget default/web: spec.minAvailable \"half\"", ex.Message, StringComparison.Ordinal);
    }
}

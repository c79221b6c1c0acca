using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>
/// Compares a claim's type array by reference (a claim replaces its array when it narrows, never edits it)
/// and requirements by value: the key of what a claim's types narrow to under added requirements.
/// </summary>
internal sealed class TypesAndRequirements : IEqualityComparer<(int[] Types, RequirementSet Requirements)>
{
    public static readonly TypesAndRequirements Comparer = new();

    public bool Equals((int[] Types, RequirementSet Requirements) x, (int[] Types, RequirementSet Requirements) y) =>
        ReferenceEquals(x.Types, y.Types) && x.Requirements.Equals(y.Requirements);

    public int GetHashCode((int[] Types, RequirementSet Requirements) obj) =>
        HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Types), obj.Requirements.GetHashCode());
}

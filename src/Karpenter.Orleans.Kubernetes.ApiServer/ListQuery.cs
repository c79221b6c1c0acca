namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>The query of a list, watch or deletecollection request.</summary>
internal sealed record ListQuery(
    LabelSelector Labels,
    FieldSelector Fields,
    int Limit = 0,
    string? Continue = null,
    string? ResourceVersion = null,
    string? ResourceVersionMatch = null);

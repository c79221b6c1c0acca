namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// One served resource of one group/version (pods in core v1, nodepools in karpenter.sh/v1):
/// what discovery lists and what the request router resolves a URL to.
/// </summary>
/// <param name="Group">API group; empty for the core group.</param>
/// <param name="Version">API version, e.g. v1.</param>
/// <param name="Plural">Resource name in URLs, e.g. pods.</param>
/// <param name="Singular">Singular name, e.g. pod.</param>
/// <param name="Kind">Object kind, e.g. Pod.</param>
/// <param name="Namespaced">Whether objects live in a namespace.</param>
/// <param name="HasStatus">Whether the status subresource is served (and status is kept apart from spec).</param>
/// <param name="ShortNames">kubectl short names, e.g. po.</param>
/// <param name="Categories">kubectl categories, e.g. all.</param>
internal sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    bool HasStatus,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Categories)
{
    /// <summary>apiVersion as objects carry it: v1 or group/version.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Kind of the list object, e.g. PodList.</summary>
    public string ListKind => Kind + "List";

    /// <summary>Storage identity: one object set per group and plural whatever the version.</summary>
    public string StorageKey => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>The name errors use, e.g. pods or nodepools.karpenter.sh, as the real server spells it.</summary>
    public string QualifiedName => StorageKey;

    /// <summary>Fields a fieldSelector may name besides metadata.name and metadata.namespace.</summary>
    public IReadOnlyList<string> SelectableFields { get; init; } = [];

    /// <summary>A CRD's additionalPrinterColumns, shown by kubectl get.</summary>
    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];

    /// <summary>Whether a completed delete answers with the object (pods, custom resources) rather than a Status.</summary>
    public bool ReturnsDeletedObject => IsCustom || StorageKey == "pods";

    /// <summary>True when this type was registered from a CustomResourceDefinition.</summary>
    public bool IsCustom { get; init; }

    /// <summary>The CRD version's openAPIV3Schema objects are pruned, defaulted and validated with; null for built-in types.</summary>
    public CustomResourceSchema? Schema { get; init; }
}

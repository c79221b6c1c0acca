namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>A column of the Table kubectl prints: from a CRD's additionalPrinterColumns or built in.</summary>
/// <param name="Name">Header, e.g. Ready.</param>
/// <param name="Type">OpenAPI type: string, integer, number, boolean, date.</param>
/// <param name="JsonPath">Simple JSONPath into the object, e.g. .status.conditions[?(@.type=="Ready")].status.</param>
/// <param name="Priority">0 is shown by default; higher only with -o wide.</param>
internal sealed record PrinterColumn(string Name, string Type, string JsonPath, int Priority);

using System.Text.Json;
using System.Text.Json.Nodes;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.CloudProviders;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// A cluster's node class as the API shows it: the object the agent sent, and its status as the cluster's provider
/// resolves it in the cluster's region now (the AWS provider caches that for a minute). A provider that cannot be
/// asked (EC2 refusing or down) leaves the status null and says why, rather than failing the whole list.
/// </summary>
internal static class NodeClassViews
{
    public static async Task<NodeClassInfo> ResolveAsync(HttpContext context, ClusterRegistration registration, NodeClassManifest nodeClass)
    {
        var spec = Parse(nodeClass.Json) is JsonObject root ? root["spec"]?.DeepClone() : null;
        var view = new NodeClassInfo(registration.ClusterId, nodeClass.Name, nodeClass.ApiVersion, nodeClass.Kind, spec, null, null);
        if (context.RequestServices.GetService<ICloudProviders>() is not { } providers || !providers.Names.Contains(registration.Provider))
        {
            return view;
        }

        try
        {
            var status = await providers.Get(registration.Provider).ResolveNodeClassAsync(registration.Region,
                new NodeClassDocument(nodeClass.ApiVersion, nodeClass.Kind, nodeClass.Name, nodeClass.Json), context.RequestAborted);
            return status is null ? view : view with { Ready = status.Ready, Status = Parse(status.Json) };
        }
        catch (CloudProviderException ex)
        {
            return view with { StatusError = $"{registration.Provider} could not resolve it in {registration.Region}: {ex.Code}: {ex.Message}" };
        }
    }

    private static JsonNode? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            // The cluster grain stores only objects that parsed; a stored one that does not is shown without spec.
            return null;
        }
    }
}

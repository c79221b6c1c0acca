using System.Text.Json;
using System.Text.Json.Nodes;
using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Scheduling.Model;

namespace Karpenter.Orleans.Grains.Clusters;

/// <summary>
/// The cluster's node classes (an <c>EC2NodeClass</c> for AWS): kept as sent, in the stored state, and handed to
/// each launch through its NodePool's <c>nodeClassRef</c>. A NodePool whose node class is missing launches nothing,
/// like Karpenter's NodePool with <c>NodeClassReady=False</c>. Providers without node classes ignore them all.
/// </summary>
public sealed partial class ClusterGrain
{
    Task<IReadOnlyList<NodeClassManifest>> IClusterGrain.GetNodeClassesAsync() =>
        Task.FromResult<IReadOnlyList<NodeClassManifest>>([.. state.State.NodeClasses.Values.OrderBy(n => n.Name, StringComparer.Ordinal)]);

    /// <summary>
    /// Reads a node class object into <paramref name="nodeClasses"/> (by name); null on success, else the problem.
    /// Only what every provider's node class has is checked here (apiVersion, kind, metadata.name, spec); the
    /// provider validates the spec when it resolves it. A delta's object must carry the delta's name.
    /// </summary>
    private static string? CollectNodeClass(string json, Dictionary<string, NodeClassManifest> nodeClasses, string? expectedName, out string? subject)
    {
        subject = null;
        try
        {
            return CollectNodeClass(JsonNode.Parse(json), json, nodeClasses, expectedName, ref subject);
        }
        catch (JsonException ex)
        {
            return $"invalid JSON: {ex.Message}";
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // JsonObject refuses a repeated property name only when it is read: one bad object, not a failed resync.
            return $"could not be read ({ex.GetType().Name}: {ex.Message}); refused, nothing stored";
        }
    }

    private static string? CollectNodeClass(JsonNode? root, string json, Dictionary<string, NodeClassManifest> nodeClasses, string? expectedName, ref string? subject)
    {
        if (root is not JsonObject obj)
        {
            return "a node class is a JSON object";
        }

        if (Text((obj["metadata"] as JsonObject)?["name"]) is not { Length: > 0 } name)
        {
            return "metadata.name is required";
        }

        subject = name;
        if (Text(obj["apiVersion"]) is not { } apiVersion || !apiVersion.Contains('/', StringComparison.Ordinal))
        {
            return "apiVersion is required as group/version (karpenter.k8s.aws/v1 for an EC2NodeClass)";
        }

        if (Text(obj["kind"]) is not { Length: > 0 } kind)
        {
            return "kind is required (EC2NodeClass for AWS)";
        }

        if (expectedName is not null && expectedName != name)
        {
            return $"{MisnamedPrefix}\"{expectedName}\" but its object is \"{name}\"; refused, nothing stored";
        }

        if (obj["spec"] is not JsonObject)
        {
            return "spec is required";
        }

        nodeClasses[name] = new NodeClassManifest(apiVersion, kind, name, json);
        return null;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Makes <paramref name="nodeClasses"/> the cluster's node classes; stores them and opens a batch when they changed.</summary>
    private async Task ReplaceNodeClassesAsync(Dictionary<string, NodeClassManifest> nodeClasses)
    {
        var current = state.State.NodeClasses;
        if (current.Count == nodeClasses.Count && nodeClasses.All(n => current.TryGetValue(n.Key, out var c) && c == n.Value))
        {
            return;
        }

        state.State.NodeClasses = nodeClasses;
        await state.WriteStateAsync();
        // Pods held back by a missing node class may launch now; a changed one is used by the next launches.
        TriggerBatch();
    }

    private async Task<string?> UpsertNodeClassAsync(ObjectDelta delta)
    {
        var nodeClasses = new Dictionary<string, NodeClassManifest>(state.State.NodeClasses, StringComparer.Ordinal);
        var error = CollectNodeClass(delta.Json!, nodeClasses, delta.Name, out _);
        if (error is null)
        {
            await ReplaceNodeClassesAsync(nodeClasses);
        }

        return error;
    }

    private async Task RemoveNodeClassAsync(string name)
    {
        if (state.State.NodeClasses.ContainsKey(name))
        {
            var nodeClasses = new Dictionary<string, NodeClassManifest>(state.State.NodeClasses, StringComparer.Ordinal);
            nodeClasses.Remove(name);
            await ReplaceNodeClassesAsync(nodeClasses);
        }
    }

    /// <summary>The kind of node class the cluster's provider launches with; null when it reads none (the simulated cloud).</summary>
    private NodeClassType? ProviderNodeClasses() =>
        Registration is { } registration ? providers.Get(registration.Provider).NodeClasses : null;

    /// <summary>
    /// The NodePools that cannot launch because of their <c>nodeClassRef</c>, each with why. A NodePool without a
    /// <c>nodeClassRef</c> launches with the provider's defaults, as before node classes reached the provider.
    /// </summary>
    private Dictionary<string, string> NodePoolsWithoutNodeClass()
    {
        var blocked = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ProviderNodeClasses() is not { } type)
        {
            return blocked;
        }

        foreach (var pool in _nodePools.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (NodeClassProblem(pool, type) is { } problem)
            {
                blocked[pool.Name] = problem;
            }
        }

        return blocked;
    }

    private string? NodeClassProblem(NodePool pool, NodeClassType type)
    {
        if (pool.NodeClassRef is not { } reference)
        {
            return null;
        }

        if (reference.Group != type.Group || reference.Kind != type.Kind)
        {
            return $"NodePool {pool.Name} launches nothing: its nodeClassRef names {reference.Kind} {reference.Name} ({reference.Group}), "
                + $"but the {Registration!.Provider} provider launches with {type.Kind} ({type.Group}) node classes";
        }

        return NodeClassOf(pool) is null
            ? $"NodePool {pool.Name} launches nothing: its nodeClassRef names {reference.Kind} {reference.Name}, which this cluster does not have (NodeClassReady=False)"
            : null;
    }

    /// <summary>The node class <paramref name="pool"/>'s <c>nodeClassRef</c> names, when the cluster has it.</summary>
    private NodeClassManifest? NodeClassOf(NodePool pool) =>
        pool.NodeClassRef is { } reference
        && state.State.NodeClasses.TryGetValue(reference.Name, out var nodeClass)
        && nodeClass.Kind == reference.Kind && nodeClass.Group == reference.Group
            ? nodeClass
            : null;

    /// <summary>The NodePool as its node class launches it: the node class's kubelet settings change what each type holds.</summary>
    private NodePool WithNodeClass(ClusterRegistration registration, NodePool pool) =>
        ProviderNodeClasses() is not null && NodeClassOf(pool) is { } nodeClass
            ? providers.Get(registration.Provider).ApplyNodeClass(registration.Region, pool,
                new NodeClassDocument(nodeClass.ApiVersion, nodeClass.Kind, nodeClass.Name, nodeClass.Json))
            : pool;

    /// <summary>The node class a new claim of <paramref name="nodePool"/> launches with; none when the provider reads none.</summary>
    private NodeClassManifest? LaunchNodeClass(string nodePool) =>
        ProviderNodeClasses() is not null && _nodePools.TryGetValue(nodePool, out var pool) ? NodeClassOf(pool) : null;
}

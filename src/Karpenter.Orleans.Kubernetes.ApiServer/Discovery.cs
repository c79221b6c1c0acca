using System.Text.Json.Nodes;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// Legacy discovery documents (/api, /apis, /apis/&lt;group&gt;, the APIResourceLists) and /version.
/// Clients asking for aggregated discovery get these in plain application/json and fall back to
/// legacy discovery, as they do against a server without it.
/// </summary>
internal static class Discovery
{
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
        {
            ["clientCIDR"] = "0.0.0.0/0",
            ["serverAddress"] = serverAddress,
        }),
    };

    public static JsonObject GroupList(ResourceRegistry registry) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. registry.Groups().Select(g => (JsonNode)Group(g.Group, g.Versions))]),
    };

    public static JsonObject? GroupOf(ResourceRegistry registry, string group)
    {
        var found = registry.Groups().FirstOrDefault(g => g.Group == group);
        return found.Group is null ? null : Group(found.Group, found.Versions);
    }

    public static JsonObject? Resources(ResourceRegistry registry, string group, string version)
    {
        var types = registry.All().Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var t in types)
        {
            var resource = new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = new JsonArray([.. AllVerbs.Select(v => (JsonNode)v)]),
            };
            if (t.ShortNames.Count > 0)
            {
                resource["shortNames"] = new JsonArray([.. t.ShortNames.Select(s => (JsonNode)s)]);
            }

            if (t.Categories.Count > 0)
            {
                resource["categories"] = new JsonArray([.. t.Categories.Select(s => (JsonNode)s)]);
            }

            resources.Add(resource);
            if (t.HasStatus)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = t.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = t.Namespaced,
                    ["kind"] = t.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }

            if (t.StorageKey == ResourceRegistry.Pods.StorageKey)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = "pods/eviction",
                    ["singularName"] = "",
                    ["namespaced"] = true,
                    ["group"] = "policy",
                    ["version"] = "v1",
                    ["kind"] = "Eviction",
                    ["verbs"] = new JsonArray("create"),
                });
                resources.Add(new JsonObject
                {
                    ["name"] = "pods/binding",
                    ["singularName"] = "",
                    ["namespaced"] = true,
                    ["kind"] = "Binding",
                    ["verbs"] = new JsonArray("create"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-karpo",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    private static JsonObject Group(string name, IReadOnlyList<string> versions)
    {
        JsonObject Entry(string v) => new() { ["groupVersion"] = $"{name}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = name,
            ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)Entry(v))]),
            ["preferredVersion"] = Entry(versions[0]),
        };
    }
}

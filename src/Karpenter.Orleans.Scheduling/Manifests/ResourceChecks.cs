using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Checks the quantities KubernetesClient accepts but the solver cannot use (negative ones), on the
/// document tree so the message names the field and shows the value as written.
/// </summary>
internal static class ResourceChecks
{
    /// <summary>Container and init-container requests/limits, pod overhead and pod-level resources of a pod spec.</summary>
    public static void CheckPodSpec(ManifestDocument doc, YamlNode? podSpec, string path)
    {
        if (podSpec is not YamlMappingNode spec)
        {
            return;
        }

        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (YamlFields.Get(spec, list) is YamlSequenceNode containers)
            {
                for (var i = 0; i < containers.Children.Count; i++)
                {
                    CheckRequirements(doc, YamlFields.Get(containers.Children[i] as YamlMappingNode, "resources"),
                        YamlFields.Join(YamlFields.Index(YamlFields.Join(path, list), i), "resources"));
                }
            }
        }

        CheckRequirements(doc, YamlFields.Get(spec, "resources"), YamlFields.Join(path, "resources"));
        CheckMap(doc, YamlFields.Get(spec, "overhead"), YamlFields.Join(path, "overhead"));
    }

    /// <summary>A Node's status.allocatable and status.capacity.</summary>
    public static void CheckNodeStatus(ManifestDocument doc)
    {
        var status = YamlFields.Get(doc.Root, "status") as YamlMappingNode;
        CheckMap(doc, YamlFields.Get(status, "allocatable"), "status.allocatable");
        CheckMap(doc, YamlFields.Get(status, "capacity"), "status.capacity");
    }

    private static void CheckRequirements(ManifestDocument doc, YamlNode? resources, string path)
    {
        var map = resources as YamlMappingNode;
        CheckMap(doc, YamlFields.Get(map, "requests"), YamlFields.Join(path, "requests"));
        CheckMap(doc, YamlFields.Get(map, "limits"), YamlFields.Join(path, "limits"));
    }

    private static void CheckMap(ManifestDocument doc, YamlNode? quantities, string path)
    {
        if (quantities is not YamlMappingNode map)
        {
            return;
        }

        foreach (var (k, v) in YamlFields.Entries(map))
        {
            var field = YamlFields.Join(path, (k as YamlScalarNode)?.Value ?? "");
            if (v is not YamlScalarNode scalar)
            {
                throw doc.Error(field, $"line {v.Start.Line}: expected a quantity, found {YamlManifestReader.Describe(v)}");
            }

            if (Quantities.TryParse(scalar.Value, out var problem) is null)
            {
                throw doc.Error(field, $"line {v.Start.Line}: {problem}");
            }
        }
    }
}

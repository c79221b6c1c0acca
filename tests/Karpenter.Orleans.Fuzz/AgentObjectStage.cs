using System.Text.Json;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// What the cluster grain does with each object of an accepted agent body: Kubernetes objects through
/// KubernetesClient's JSON reader, NodePools through the manifest loader. ClusterGrain.Upsert reports the
/// errors it catches (JSON, format, argument, overflow and not-supported errors; manifest errors) per object; anything
/// else would fail the whole call, after the grain has started replacing its state. Keep the two in step.
/// </summary>
internal static class AgentObjectStage
{
    public const string NodePoolSource = "nodepool";

    public static void Apply(ObjectKind kind, string json)
    {
        try
        {
            switch (kind)
            {
                case ObjectKind.Pod:
                    KubernetesJson.Deserialize<V1Pod>(json);
                    break;
                case ObjectKind.Node:
                    KubernetesJson.Deserialize<V1Node>(json);
                    break;
                case ObjectKind.DaemonSet:
                    KubernetesJson.Deserialize<V1DaemonSet>(json);
                    break;
                case ObjectKind.PodDisruptionBudget:
                    KubernetesJson.Deserialize<V1PodDisruptionBudget>(json);
                    break;
                case ObjectKind.NodePool:
                    ManifestLoader.LoadText(NodePoolSource, json);
                    break;
            }
        }
        catch (JsonException)
        {
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
        }
        catch (ManifestException refused)
        {
            ManifestTarget.Located(refused, NodePoolSource);
        }
    }
}

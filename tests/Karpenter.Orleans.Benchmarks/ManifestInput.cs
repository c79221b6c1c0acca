using System.Collections.Concurrent;
using System.Text;
using k8s;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Workloads;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>
/// The benchmark mix as the manifest text <c>karpo simulate</c> reads: multi-document YAML (what KubernetesClient writes) or a
/// <c>kind: List</c> JSON dump. Built the same way in every process, so the MB/s column can size what the benchmark read.
/// </summary>
public static class ManifestInput
{
    public const string Yaml = "yaml";

    public const string Json = "json";

    private static readonly ConcurrentDictionary<(string Format, int Pods), string> Texts = new();

    public static string Text(string format, int pods) => Texts.GetOrAdd((format, pods), key => Build(key.Format, key.Pods));

    private static string Build(string format, int pods)
    {
        var list = BenchmarkWorkload.Create(pods).Pods;
        if (format == Json)
        {
            return KubernetesJson.Serialize(new V1PodList { ApiVersion = "v1", Kind = "List", Items = [.. list] });
        }

        var text = new StringBuilder();
        foreach (var pod in list)
        {
            text.Append("---\n").Append(KubernetesYaml.Serialize(pod).TrimEnd()).Append('\n');
        }

        return text.ToString();
    }
}

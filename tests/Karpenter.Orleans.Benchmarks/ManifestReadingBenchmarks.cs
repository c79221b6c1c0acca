using BenchmarkDotNet.Attributes;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>
/// The manifest reader on the 10,000-pod benchmark mix: text to the solver's input (pods checked and collected), as
/// <c>karpo simulate</c> reads a file. Run with <c>--filter *ManifestReading*</c>; the MB/s column is the reader's speed.
/// </summary>
[MemoryDiagnoser]
public class ManifestReadingBenchmarks
{
    private const int Pods = 10_000;

    private string _yaml = "";
    private string _json = "";

    [GlobalSetup]
    public void Setup()
    {
        _yaml = ManifestInput.Text(ManifestInput.Yaml, Pods);
        _json = ManifestInput.Text(ManifestInput.Json, Pods);
    }

    [Benchmark, ManifestInput(ManifestInput.Yaml, Pods), PodCount(Pods)]
    public LoadedManifests ReadYaml10000() => ManifestLoader.LoadText("pods.yaml", _yaml);

    [Benchmark, ManifestInput(ManifestInput.Json, Pods), PodCount(Pods)]
    public LoadedManifests ReadJson10000() => ManifestLoader.LoadText("pods.json", _json);
}

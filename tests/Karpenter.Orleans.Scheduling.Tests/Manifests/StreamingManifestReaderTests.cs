using k8s;
using k8s.Models;
using Karpenter.Orleans.Cli.Commands;
using Karpenter.Orleans.Scheduling.Manifests;
using Karpenter.Orleans.Scheduling.Tests.TestSupport;

namespace Karpenter.Orleans.Scheduling.Tests.Manifests;

/// <summary>
/// The fast readers (JSON straight into the model, YAML from parser events) read exactly what the full reader reads,
/// and hand it whatever they do not take alone.
/// </summary>
public sealed class StreamingManifestReaderTests
{
    [Theory]
    [InlineData("benchmark-40.yaml")]
    [InlineData("benchmark-40-list.yaml")]
    [InlineData("benchmark-40-kubectl.json")]
    [InlineData("benchmark-40-kubectl.yaml")]
    public void The_benchmark_mix_and_kubectl_dumps_read_as_the_full_reader_reads_them(string name)
    {
        using var dir = new ScratchFolder();
        BenchManifests.Write(dir.Path, 40, seed: 7);
        var file = Path.Combine(dir.Path, name);
        var content = File.ReadAllText(file);

        var fast = JsonManifestReader.TryRead(file, content) ?? StreamingManifestReader.TryRead(file, content);

        Assert.NotNull(fast);
        Assert.All(fast, d => Assert.True(d.PreRead));
        Assert.Equal(FullyRead(file, content), fast.Select(d => KubernetesJson.Serialize(d.Value)).ToList());
        Assert.Equal(40, ManifestLoader.LoadText(file, content).Pods.Count);
    }

    [Fact]
    public void Scalars_read_into_strings_numbers_and_booleans_as_the_full_reader_reads_them()
    {
        const string yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              labels: {version: 1.10, release: "2", enabled: true}
              annotations:
                note: |
                  two
                  lines
            spec:
              priority: "5"
              hostNetwork: True
              terminationGracePeriodSeconds: 30
              nodeSelector:
                zone: ~
              containers:
              - name: app
                image: 'registry.k8s.io/pause:3.10'
                ports: [{containerPort: 8080}]
                resources:
                  requests: {cpu: 1.5, memory: 512Mi}
            """;

        var fast = StreamingManifestReader.TryRead("p.yaml", yaml);

        Assert.NotNull(fast);
        Assert.Equal(FullyRead("p.yaml", yaml), fast.Select(d => KubernetesJson.Serialize(d.Value)).ToList());
    }

    [Theory]
    [InlineData("base: &b {name: app, image: x}\n", "spec: {containers: [*b]}")]
    [InlineData("", "spec: {containers: [{name: app, image: x, unknownField: 1}]}")]
    [InlineData("", "spec: {containers: [{name: app, image: x}], priority: high}")]
    [InlineData("", "spec: {containers: [{name: app, image: x}]}\nspec: {}")]
    public void Input_the_fast_reader_does_not_take_alone_goes_to_the_full_reader(string before, string spec)
    {
        var yaml = $"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\n{before}{spec}\n";

        Assert.Null(StreamingManifestReader.TryRead("p.yaml", yaml));
    }

    [Fact]
    public void A_nodepool_among_pods_gets_its_tree_with_the_files_lines()
    {
        const string yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec: {containers: [{name: app, image: x}]}
            ---
            apiVersion: karpenter.sh/v1
            kind: NodePool
            metadata: {name: general}
            spec:
              template:
                spec:
                  requirements:
                  - {key: karpenter.sh/capacity-type, operator: Bogus, values: [spot]}
            """;

        var fast = StreamingManifestReader.TryRead("m.yaml", yaml);
        var error = Assert.Throws<ManifestException>(() => ManifestLoader.LoadText("m.yaml", yaml));

        Assert.NotNull(fast);
        Assert.False(fast[1].PreRead);
        Assert.Equal(6, fast[1].Root.Start.Line);
        Assert.Equal(13, YamlFields.At(fast[1].Root, "spec", "template", "spec", "requirements")!.Start.Line);
        Assert.Equal(2, error.Document);
        Assert.Equal("spec.template.spec.requirements[0].operator", error.Field);
    }

    [Fact]
    public void An_error_found_after_reading_is_located_by_the_full_reader()
    {
        const string yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: x\n    resources:\n      requests:\n        cpu: -1\n";

        var error = Assert.Throws<ManifestException>(() => ManifestLoader.LoadText("p.yaml", yaml));

        Assert.Equal("spec.containers[0].resources.requests.cpu", error.Field);
        Assert.Contains("line 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_file_read_in_two_parts_numbers_documents_and_lines_as_one_read()
    {
        // Pods, an empty document and a "..." end, then a NodePool, past the size where the file is read in two parts.
        var pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{0}\nspec:\n  containers:\n  - name: app\n    image: registry.k8s.io/pause:3.10\n    resources:\n      requests: {{cpu: 100m, memory: 64Mi}}\n";
        var text = new System.Text.StringBuilder();
        var i = 0;
        while (text.Length < StreamingManifestReader.PartsFrom * 3 / 2)
        {
            text.Append("---\n").AppendFormat(System.Globalization.CultureInfo.InvariantCulture, pod, i++);
            if (i == 10)
            {
                text.Append("---\n...\n");
            }
        }

        text.Append("---\napiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: general}\nspec:\n  template:\n    spec:\n      requirements:\n      - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}\n");
        var yaml = text.ToString();
        Assert.True(StreamingManifestReader.DocumentStartNear(yaml, yaml.Length / 2) > 0);

        var fast = StreamingManifestReader.TryRead("big.yaml", yaml);
        var full = YamlManifestReader.Read("big.yaml", yaml);

        Assert.NotNull(fast);
        Assert.Equal(full.Select(d => (d.Number, d.Kind, d.Name)), fast.Select(d => (d.Number, d.Kind, d.Name)));
        Assert.Equal(full[^1].Root.Start.Line, fast[^1].Root.Start.Line);
        Assert.Equal(
            YamlFields.At(full[^1].Root, "spec", "template", "spec", "requirements")!.Start.Line,
            YamlFields.At(fast[^1].Root, "spec", "template", "spec", "requirements")!.Start.Line);
    }

    [Theory]
    [InlineData("a: 1\n---\nb: 2\n", 0, 5)]
    [InlineData("a: 1\n---\nb: 2\n", 6, 5)]
    [InlineData("a: 1\n----\nb: 2\n--- \nc: 3\n", 0, 15)]
    [InlineData("a: |\n  ---x\nb: 2\n", 0, -1)]
    public void Files_are_cut_only_where_a_document_starts(string yaml, int from, int cut)
    {
        Assert.Equal(cut, StreamingManifestReader.DocumentStartNear(yaml, from));
    }

    private static List<string> FullyRead(string file, string content) =>
        YamlManifestReader.Read(file, content).Select(d => KubernetesJson.Serialize(KubernetesObjectReader.Read<V1Pod>(d, new UnknownFieldNotes(null)))).ToList();
}

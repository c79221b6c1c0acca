using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.Fuzz.Tests;

/// <summary>
/// Inputs the fuzzers found (kept as corpus/&lt;target&gt;/regress-*): each once crashed its reader with an
/// exception of the wrong type; each is now refused, located, with a message a user can act on.
/// </summary>
public sealed class RegressionTests(FuzzTargetsFixture fixture) : IClassFixture<FuzzTargetsFixture>
{
    public static TheoryData<string, string> RegressionInputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in Directory.EnumerateDirectories(Path.Combine(AppContext.BaseDirectory, "corpus")).Order(StringComparer.Ordinal))
        {
            foreach (var file in Directory.EnumerateFiles(target, "regress-*").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(target), Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RegressionInputs))]
    public void A_found_input_keeps_the_contract(string target, string file)
    {
        var input = File.ReadAllBytes(Path.Combine(Corpus.Folder(target), file));

        // Throws (and fails the test) on any exception but the reader's own located one.
        fixture.Targets[target].Execute(input);
    }

    [Fact]
    public void The_regression_inputs_are_there() =>
        Assert.True(RegressionInputs().Count >= 10, "the regress-* inputs were not copied beside the tests");

    [Theory]
    [InlineData("regress-flow-then-document-marker.yaml", null, "line 9, column 9: invalid YAML here or just after", typeof(InvalidOperationException))]
    [InlineData("regress-alias-after-quoted-value.yaml", null, "invalid YAML here or just after", typeof(ArgumentException))]
    [InlineData("regress-deep-nesting.yaml", null, "nested deeper than 100 levels", null)]
    [InlineData("regress-merge-of-anchored-value.yaml", null, "line 15: '<<' merges the value \"name\"; only a mapping or a list of mappings can be merged", null)]
    [InlineData("regress-nodepool-limit-decimal-overflow.yaml", "spec.limits.cpu", "\"1e30\" is more than the solver can hold", null)]
    [InlineData("regress-fraction-quantity.yaml", "status.allocatable.cpu", "\"39/0m\" is not a Kubernetes quantity", null)]
    public void A_broken_manifest_is_refused_naming_file_document_and_problem(string file, string? field, string problem, Type? yamlDotNetThrew)
    {
        var text = File.ReadAllText(Path.Combine(Corpus.Folder("manifest"), file));

        var refused = Assert.Throws<ManifestException>(() => ManifestLoader.LoadText("found.yaml", text));

        Assert.Equal("found.yaml", refused.File);
        Assert.Equal(1, refused.Document);
        Assert.Equal(field, refused.Field);
        Assert.Contains(problem, refused.Problem, StringComparison.Ordinal);
        if (yamlDotNetThrew is not null)
        {
            // The input still reaches the YamlDotNet path that throws outside its own YamlException.
            Assert.IsType(yamlDotNetThrew, refused.InnerException);
        }
    }

    [Theory]
    [InlineData("regress-invalid-utf8.json", null, "the file is not valid UTF-8 (byte 44)")]
    [InlineData("regress-quantity-decimal-overflow.json", "instanceTypes[0].allocatable.cpu", "\"1e30\" is more than the solver can hold")]
    [InlineData("regress-quantity-int64-overflow.json", "instanceTypes[0].allocatable.cpu", "is more than the solver can hold")]
    public void A_broken_catalog_is_refused_naming_file_and_field(string file, string? field, string problem)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Corpus.Folder("catalog"), file));

        var refused = Assert.Throws<ManifestException>(() => CatalogLoader.Parse("found.json", bytes));

        Assert.Equal("found.json", refused.File);
        Assert.Equal(field, refused.Field);
        Assert.Contains(problem, refused.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quantity_too_large_for_a_decimal_is_refused_where_it_is_written()
    {
        const string Pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n    - name: c\n      resources:\n        requests:\n          cpu: 1e30\n";

        var refused = Assert.Throws<ManifestException>(() => ManifestLoader.LoadText("pod.yaml", Pod));

        Assert.Equal(1, refused.Document);
        Assert.Contains("cpu", refused.Field ?? "", StringComparison.Ordinal);
        Assert.Contains("is more than the solver can hold", refused.Problem, StringComparison.Ordinal);
    }
}

namespace Karpenter.Orleans.Fuzz.Tests;

/// <summary>
/// A short, deterministic fuzz run of every reader over its checked-in seed corpus: each input is accepted
/// or refused with the reader's own located error (ApiException 400/413/415 naming a field; ManifestException
/// naming the file), never another exception, a hang, or an allocation out of proportion. Bounded by the
/// number of mutants, not by time; docs/fuzzing.md has the longer runs.
/// </summary>
public sealed class BoundedFuzzTests(FuzzTargetsFixture fixture) : IClassFixture<FuzzTargetsFixture>
{
    private const int Seed = 20261203;

    [Theory]
    [InlineData("registration", 2000)]
    [InlineData("snapshot", 1500)]
    [InlineData("deltas", 1500)]
    [InlineData("spend-cap", 2000)]
    [InlineData("quota", 2000)]
    [InlineData("agent-object", 1000)]
    [InlineData("manifest", 800)]
    [InlineData("catalog", 1500)]
    public void Every_mutant_is_accepted_or_refused_with_a_located_error(string target, int mutants)
    {
        var seeds = Corpus.Load(target).Select(s => s.Bytes).ToList();

        var result = new MutationRun(fixture.Targets[target], seeds, Seed).Run(mutants);

        Assert.True(result.Failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, result.Failures));
        Assert.Equal(seeds.Count + mutants, result.Inputs);
        // Both outcomes occur: a harness that refused (or accepted) everything would prove nothing.
        Assert.True(result.Accepted > 0, $"{target}: nothing was accepted");
        Assert.True(result.Refused > 0, $"{target}: nothing was refused");
    }

    [Fact]
    public void A_seed_gives_the_same_mutants_every_time()
    {
        byte[] input = "{\"pricePerHour\": 5}"u8.ToArray();
        byte[] other = "{\"vcpus\": 64}"u8.ToArray();
        var first = new Mutator(Seed, ["{", "1e400"], 4096);
        var second = new Mutator(Seed, ["{", "1e400"], 4096);
        var third = new Mutator(Seed + 1, ["{", "1e400"], 4096);

        var a = Enumerable.Range(0, 50).Select(_ => Convert.ToHexString(first.Mutate(input, other))).ToList();
        var b = Enumerable.Range(0, 50).Select(_ => Convert.ToHexString(second.Mutate(input, other))).ToList();
        var c = Enumerable.Range(0, 50).Select(_ => Convert.ToHexString(third.Mutate(input, other))).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.True(a.Distinct().Count() > 25, "the mutants hardly differ");
    }
}

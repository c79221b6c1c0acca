using CsCheck;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>Tag values split to EC2's limit and joined again: what a node's labels travel in.</summary>
public sealed class AwsTagsTests
{
    [Fact]
    public void Any_value_splits_into_tags_within_EC2s_limit_and_joins_back_to_itself()
    {
        // Any UTF-16 text, surrogate pairs included, of up to 40 parts' length.
        var text = Gen.OneOf(Gen.Char['a', 'z'], Gen.Char['\u00e0', '\u00ff'], Gen.Const('"'), Gen.Const("😀"[0]))
            .Array[0, 40 * AwsTags.MaxValueLength]
            .Select(chars => PairSurrogates(chars));
        text.Sample(value =>
        {
            var parts = AwsTags.Split("karpo.io/node-labels", value);

            Assert.All(parts, p => Assert.InRange(p.Value.Length, 0, AwsTags.MaxValueLength));
            Assert.All(parts, p => Assert.False(p.Value.Length > 0 && char.IsHighSurrogate(p.Value[^1]), "a part ends inside a surrogate pair"));
            Assert.Equal("karpo.io/node-labels", parts[0].Key);
            Assert.Equal(value, string.Concat(parts.Select(p => p.Value)));
            var joined = AwsTags.Join([.. parts, new("team", "payments")]);
            Assert.Equal(new Dictionary<string, string> { ["karpo.io/node-labels"] = value, ["team"] = "payments" }, joined);
        }, iter: 300);
    }

    [Fact]
    public void A_value_of_at_most_256_characters_is_one_tag_under_its_own_key()
    {
        var value = new string('x', AwsTags.MaxValueLength);

        Assert.Equal([new KeyValuePair<string, string>("k", value)], AwsTags.Split("k", value));
    }

    [Fact]
    public void A_surrogate_pair_at_the_boundary_moves_whole_to_the_next_part()
    {
        var value = new string('x', AwsTags.MaxValueLength - 1) + "😀" + "tail";

        var parts = AwsTags.Split("k", value);

        Assert.Equal(AwsTags.MaxValueLength - 1, parts[0].Value.Length);
        Assert.Equal(("k/part-2", "😀tail"), (parts[1].Key, parts[1].Value));
    }

    [Fact]
    public void A_short_tag_is_not_joined_with_a_tag_named_like_its_part()
    {
        var tags = new Dictionary<string, string> { ["owner"] = "ops", ["owner/part-2"] = "someone else's tag" };

        Assert.Equal(tags, AwsTags.Join(tags));
    }

    [Fact]
    public void Parts_are_joined_in_order_up_to_the_first_missing_one()
    {
        var full = new string('a', AwsTags.MaxValueLength);
        var tags = new Dictionary<string, string> { ["k"] = full, ["k/part-2"] = "b", ["k/part-4"] = "d" };

        var joined = AwsTags.Join(tags);

        Assert.Equal(new Dictionary<string, string> { ["k"] = full + "b", ["k/part-4"] = "d" }, joined);
    }

    // Random chars may leave a lone high or low surrogate; make each high surrogate the start of a valid pair.
    private static string PairSurrogates(char[] chars)
    {
        var text = new System.Text.StringBuilder(chars.Length * 2);
        foreach (var c in chars)
        {
            if (char.IsHighSurrogate(c))
            {
                text.Append("😀");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}

using System.Text;

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// A small deterministic mutator for runs without AFL: byte flips, cuts, duplications, splices with other
/// inputs, structural tokens, numbers that overflow, and deep nesting. The same seed gives the same inputs.
/// </summary>
public sealed class Mutator
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xc0, 0xed, 0xf4, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[',
        (byte)']', (byte)':', (byte)',', (byte)'\n', (byte)'\r', (byte)' ', (byte)'-', (byte)'0', (byte)'9', (byte)'e', (byte)'&', (byte)'*', (byte)'#'];

    private static readonly (string Open, string Close)[] Nesting =
        [("[", "]"), ("{\"a\":", "}"), ("[[", "]]"), ("{", "}"), ("- ", ""), ("a:\n  ", ""), ("\"", "\"")];

    private static readonly int[] Depths = [2, 10, 63, 65, 100, 1000, 5000];

    private readonly Random _random;
    private readonly byte[][] _tokens;
    private readonly int _maxLength;

    public Mutator(int seed, IReadOnlyList<string> tokens, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _random = new Random(seed);
        _tokens = [.. tokens.Select(Encoding.UTF8.GetBytes)];
        _maxLength = maxLength;
    }

    /// <summary>A mutant of <paramref name="input"/>; <paramref name="other"/> is a second input to splice from.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(other);
        var data = new List<byte>(input);
        var rounds = 1 + _random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            MutateOnce(data, other);
        }

        if (data.Count > _maxLength)
        {
            data.RemoveRange(_maxLength, data.Count - _maxLength);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data, byte[] other)
    {
        switch (_random.Next(11))
        {
            case 0 when data.Count > 0:
                data[_random.Next(data.Count)] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[_random.Next(data.Count)] = Interesting[_random.Next(Interesting.Length)];
                break;
            case 2 when data.Count > 0:
                {
                    var (start, length) = Range(data.Count);
                    data.RemoveRange(start, length);
                    break;
                }

            case 3 when data.Count > 0:
                {
                    var (start, length) = Range(data.Count);
                    data.InsertRange(_random.Next(data.Count + 1), data.GetRange(start, length));
                    break;
                }

            case 4:
            case 5:
                data.InsertRange(_random.Next(data.Count + 1), _tokens[_random.Next(_tokens.Length)]);
                break;
            case 6 when other.Length > 0:
                {
                    // Head of this input, tail of the other: mixes two valid structures at a random seam.
                    var cut = _random.Next(data.Count + 1);
                    var from = _random.Next(other.Length);
                    data.RemoveRange(cut, data.Count - cut);
                    data.AddRange(other.AsSpan(from).ToArray());
                    break;
                }

            case 7:
                ReplaceNumber(data);
                break;
            case 8:
                Nest(data);
                break;
            case 9 when data.Count > 0:
                {
                    // Many copies of a piece: long arrays, long strings, many documents.
                    var (start, length) = Range(data.Count);
                    var piece = data.GetRange(start, Math.Min(length, 64)).ToArray();
                    var copies = Math.Min(_random.Next(1, 2000), (_maxLength - data.Count) / Math.Max(1, piece.Length));
                    var at = _random.Next(data.Count + 1);
                    for (var c = 0; c < copies; c++)
                    {
                        data.InsertRange(at, piece);
                    }

                    break;
                }

            case 10 when data.Count > 0:
                {
                    var cut = _random.Next(data.Count);
                    data.RemoveRange(cut, data.Count - cut);
                    break;
                }

            default:
                data.InsertRange(_random.Next(data.Count + 1), _tokens[_random.Next(_tokens.Length)]);
                break;
        }
    }

    // A run of digits becomes a number that overflows, underflows or is not a number at all.
    private void ReplaceNumber(List<byte> data)
    {
        var digits = Enumerable.Range(0, data.Count).Where(i => data[i] is >= (byte)'0' and <= (byte)'9').ToList();
        var numbers = _tokens.Where(t => t.Length > 0 && (t[0] is >= (byte)'0' and <= (byte)'9' || t[0] == (byte)'-')).ToList();
        if (digits.Count == 0 || numbers.Count == 0)
        {
            return;
        }

        var start = digits[_random.Next(digits.Count)];
        var end = start;
        while (end < data.Count && (data[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.'))
        {
            end++;
        }

        while (start > 0 && data[start - 1] is >= (byte)'0' and <= (byte)'9')
        {
            start--;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, numbers[_random.Next(numbers.Count)]);
    }

    private void Nest(List<byte> data)
    {
        var (open, close) = Nesting[_random.Next(Nesting.Length)];
        var depth = Depths[_random.Next(Depths.Length)];
        var openBytes = Encoding.UTF8.GetBytes(open);
        var closeBytes = Encoding.UTF8.GetBytes(close);
        if (data.Count + (depth * (openBytes.Length + closeBytes.Length)) > _maxLength)
        {
            depth = Math.Max(1, (_maxLength - data.Count) / Math.Max(1, openBytes.Length + closeBytes.Length));
        }

        var (start, length) = data.Count == 0 ? (0, 0) : Range(data.Count);
        var end = start + length;
        var closing = new List<byte>(depth * closeBytes.Length);
        var opening = new List<byte>(depth * openBytes.Length);
        for (var d = 0; d < depth; d++)
        {
            opening.AddRange(openBytes);
            closing.AddRange(closeBytes);
        }

        data.InsertRange(end, closing);
        data.InsertRange(start, opening);
    }

    private (int Start, int Length) Range(int count)
    {
        var start = _random.Next(count);
        var length = 1 + _random.Next(Math.Min(count - start, _random.Next(2) == 0 ? 8 : 256));
        return (start, length);
    }
}

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Passes a parser's events through and notes where each document starts and ends, so each document's
/// own text can be handed to KubernetesClient and a syntax error can name the document it is in.
/// </summary>
internal sealed class DocumentBoundaryParser(IParser inner) : IParser
{
    /// <summary>
    /// Far deeper than any Kubernetes object, far shallower than what overflows the stack of YamlDotNet's
    /// recursive loader (found by fuzzing: a few thousand '[' killed the process).
    /// </summary>
    public const int MaxDepth = 100;

    /// <summary>The depth of a <c>kind: List</c> document's items (root mapping 1, items list 2).</summary>
    private const int ItemDepth = 3;

    private readonly List<(Mark Start, Mark End)> _documents = [];
    private readonly Dictionary<long, Mark> _itemEnds = [];
    private Mark? _start;
    private long _itemStart;
    private int _depth;

    public ParsingEvent? Current => inner.Current;

    /// <summary>Documents started so far (the one being read when a syntax error is thrown included).</summary>
    public int Started { get; private set; }

    /// <summary>Start (the document's first token) and end of each complete document.</summary>
    public IReadOnlyList<(Mark Start, Mark End)> Documents => _documents;

    /// <summary>
    /// Where the mapping starting at <paramref name="startIndex"/>, three levels deep (a List item), ends: YamlDotNet's
    /// nodes know only where they start, and an item's own text is cut out for KubernetesClient.
    /// </summary>
    public Mark? ItemEnd(long startIndex) => _itemEnds.TryGetValue(startIndex, out var end) ? end : null;

    public bool MoveNext()
    {
        var moved = inner.MoveNext();
        switch (inner.Current)
        {
            case DocumentStart start:
                Started++;
                _start = start.Start;
                break;
            case DocumentEnd end when _start is { } begin:
                _documents.Add((begin, end.End));
                _start = null;
                break;
            case MappingStart or SequenceStart:
                if (++_depth > MaxDepth)
                {
                    throw new YamlException(inner.Current.Start, inner.Current.End, $"mappings and lists nested deeper than {MaxDepth} levels");
                }

                if (_depth == ItemDepth && inner.Current is MappingStart)
                {
                    _itemStart = inner.Current.Start.Index;
                }

                break;
            case MappingEnd end:
                if (_depth == ItemDepth)
                {
                    _itemEnds[_itemStart] = end.End;
                }

                _depth--;
                break;
            case SequenceEnd:
                _depth--;
                break;
        }

        return moved;
    }
}

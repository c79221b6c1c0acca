using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// The events of the YAML that manifests are written in (documents of block and flow mappings, sequences and
/// scalars), straight from a scanner's tokens (<see cref="ManifestScanner"/>'s when it takes the text, else
/// YamlDotNet's). YamlDotNet's own parser makes the same events, but it looks every
/// scalar up in the runtime's intern table and allocates an event per node, which was a third of reading a
/// 10,000-pod file (docs/benchmarks.md, Whole command). Anything outside that subset (directives, anchors,
/// aliases, tags, a single-pair mapping in a flow sequence, anything malformed) throws
/// <see cref="Unsupported"/>, and the caller hands the file to the full reader, which reads or reports it.
/// </summary>
internal sealed class YamlTokenParser
{
    private readonly IScanner _scanner;
    private readonly Stack<State> _states = new();
    private State _state = State.StreamStart;
    private Token? _token;

    public YamlTokenParser(TextReader input)
        : this(new Scanner(input, skipComments: true))
    {
    }

    /// <summary>The events of another scanner's tokens (<see cref="ManifestScanner"/>'s).</summary>
    public YamlTokenParser(IScanner scanner)
    {
        _scanner = scanner;
    }

    private enum State
    {
        StreamStart,
        ImplicitDocumentStart,
        DocumentStart,
        DocumentContent,
        DocumentEnd,
        BlockNode,
        BlockNodeOrIndentlessSequence,
        FlowNode,
        BlockSequenceEntry,
        IndentlessSequenceEntry,
        BlockMappingKey,
        BlockMappingValue,
        FlowSequenceFirstEntry,
        FlowSequenceEntry,
        FlowMappingFirstKey,
        FlowMappingKey,
        FlowMappingValue,
        FlowMappingEmptyValue,
        End,
    }

    /// <summary>The event <see cref="MoveNext"/> moved to.</summary>
    public YamlEvent Current { get; private set; }

    /// <summary>Moves to the next event; false after the stream's end.</summary>
    public bool MoveNext()
    {
        if (_state == State.End)
        {
            return false;
        }

        Current = Step();
        return true;
    }

    private Token Peek()
    {
        if (_token is null)
        {
            if (!_scanner.MoveNextWithoutConsuming())
            {
                throw new Unsupported();
            }

            _token = _scanner.Current ?? throw new Unsupported();
        }

        return _token;
    }

    private void Skip()
    {
        _token = null;
        _scanner.ConsumeCurrent();
    }

    private YamlEvent Step()
    {
        switch (_state)
        {
            case State.StreamStart:
                if (Peek() is not StreamStart start)
                {
                    throw new Unsupported();
                }

                Skip();
                _state = State.ImplicitDocumentStart;
                return new YamlEvent(YamlEventKind.StreamStart, start.Start, start.End);
            case State.ImplicitDocumentStart:
                if (Peek() is VersionDirective or TagDirective or DocumentStart or StreamEnd)
                {
                    _state = State.DocumentStart;
                    return Step();
                }

                _states.Push(State.DocumentEnd);
                _state = State.BlockNode;
                return new YamlEvent(YamlEventKind.DocumentStart, Peek().Start, Peek().Start);
            case State.DocumentStart:
                return NextDocument();
            case State.DocumentContent:
                if (Peek() is VersionDirective or TagDirective or DocumentStart or DocumentEnd or StreamEnd)
                {
                    // Where the scanner stands, as YamlDotNet's parser places an empty document.
                    _state = _states.Pop();
                    return Empty(_scanner.CurrentPosition);
                }

                return Node(block: true, indentlessSequence: false);
            case State.DocumentEnd:
            {
                var token = Peek();
                if (token is DocumentEnd)
                {
                    Skip();
                }

                _state = State.DocumentStart;
                return new YamlEvent(YamlEventKind.DocumentEnd, token.Start, token.End);
            }

            case State.BlockNode:
                return Node(block: true, indentlessSequence: false);
            case State.BlockNodeOrIndentlessSequence:
                return Node(block: true, indentlessSequence: true);
            case State.FlowNode:
                return Node(block: false, indentlessSequence: false);
            case State.BlockSequenceEntry:
                return BlockSequenceEntry();
            case State.IndentlessSequenceEntry:
                return IndentlessSequenceEntry();
            case State.BlockMappingKey:
                return BlockMappingKey();
            case State.BlockMappingValue:
                return BlockMappingValue();
            case State.FlowSequenceFirstEntry:
                return FlowSequenceEntry(first: true);
            case State.FlowSequenceEntry:
                return FlowSequenceEntry(first: false);
            case State.FlowMappingFirstKey:
                return FlowMappingKey(first: true);
            case State.FlowMappingKey:
                return FlowMappingKey(first: false);
            case State.FlowMappingValue:
                return FlowMappingValue();
            case State.FlowMappingEmptyValue:
                _state = State.FlowMappingKey;
                return Empty(Peek().Start);
            default:
                throw new Unsupported();
        }
    }

    private YamlEvent NextDocument()
    {
        // "..." lines between documents end nothing more.
        while (Peek() is DocumentEnd)
        {
            Skip();
        }

        var token = Peek();
        switch (token)
        {
            case StreamEnd:
                Skip();
                _state = State.End;
                return new YamlEvent(YamlEventKind.StreamEnd, token.Start, token.End);
            case DocumentStart:
                Skip();
                _states.Push(State.DocumentEnd);
                _state = State.DocumentContent;
                return new YamlEvent(YamlEventKind.DocumentStart, token.Start, token.End);
            default:
                // %YAML and %TAG directives, or a second implicit document: the full parser's business.
                throw new Unsupported();
        }
    }

    private YamlEvent Node(bool block, bool indentlessSequence)
    {
        var token = Peek();
        switch (token)
        {
            case Scalar scalar:
                Skip();
                _state = _states.Pop();
                return new YamlEvent(YamlEventKind.Scalar, scalar.Start, scalar.End, scalar.Value, scalar.Style);
            case BlockEntry when indentlessSequence:
                // A list under a key at the key's own indentation ("containers:\n- name: app"): no sequence-start token.
                _state = State.IndentlessSequenceEntry;
                return new YamlEvent(YamlEventKind.SequenceStart, token.Start, token.End);
            case FlowSequenceStart:
                Skip();
                _state = State.FlowSequenceFirstEntry;
                return new YamlEvent(YamlEventKind.SequenceStart, token.Start, token.End);
            case FlowMappingStart:
                Skip();
                _state = State.FlowMappingFirstKey;
                return new YamlEvent(YamlEventKind.MappingStart, token.Start, token.End);
            case BlockSequenceStart when block:
                Skip();
                _state = State.BlockSequenceEntry;
                return new YamlEvent(YamlEventKind.SequenceStart, token.Start, token.End);
            case BlockMappingStart when block:
                Skip();
                _state = State.BlockMappingKey;
                return new YamlEvent(YamlEventKind.MappingStart, token.Start, token.End);
            default:
                // Anchors, aliases, tags, or no node where one must be.
                throw new Unsupported();
        }
    }

    private YamlEvent BlockSequenceEntry()
    {
        var token = Peek();
        if (token is BlockEntry)
        {
            Skip();
            if (Peek() is not (BlockEntry or BlockEnd))
            {
                _states.Push(State.BlockSequenceEntry);
                return Node(block: true, indentlessSequence: false);
            }

            return Empty(token.End);
        }

        if (token is BlockEnd)
        {
            Skip();
            _state = _states.Pop();
            return new YamlEvent(YamlEventKind.SequenceEnd, token.Start, token.End);
        }

        throw new Unsupported();
    }

    private YamlEvent IndentlessSequenceEntry()
    {
        var token = Peek();
        if (token is BlockEntry)
        {
            Skip();
            if (Peek() is not (BlockEntry or Key or Value or BlockEnd))
            {
                _states.Push(State.IndentlessSequenceEntry);
                return Node(block: true, indentlessSequence: false);
            }

            return Empty(token.End);
        }

        _state = _states.Pop();
        return new YamlEvent(YamlEventKind.SequenceEnd, token.Start, token.Start);
    }

    private YamlEvent BlockMappingKey()
    {
        var token = Peek();
        if (token is Key)
        {
            Skip();
            if (Peek() is not (Key or Value or BlockEnd))
            {
                _states.Push(State.BlockMappingValue);
                return Node(block: true, indentlessSequence: true);
            }

            _state = State.BlockMappingValue;
            return Empty(token.End);
        }

        if (token is BlockEnd)
        {
            Skip();
            _state = _states.Pop();
            return new YamlEvent(YamlEventKind.MappingEnd, token.Start, token.End);
        }

        throw new Unsupported();
    }

    private YamlEvent BlockMappingValue()
    {
        var token = Peek();
        if (token is Value)
        {
            Skip();
            if (Peek() is not (Key or Value or BlockEnd))
            {
                _states.Push(State.BlockMappingKey);
                return Node(block: true, indentlessSequence: true);
            }

            _state = State.BlockMappingKey;
            return Empty(token.End);
        }

        _state = State.BlockMappingKey;
        return Empty(token.Start);
    }

    private YamlEvent FlowSequenceEntry(bool first)
    {
        var token = Peek();
        if (token is not FlowSequenceEnd)
        {
            if (!first)
            {
                if (token is not FlowEntry)
                {
                    throw new Unsupported();
                }

                Skip();
                token = Peek();
            }

            if (token is Key)
            {
                // [a: 1]: a single-pair mapping inside a flow sequence.
                throw new Unsupported();
            }

            if (token is not FlowSequenceEnd)
            {
                _states.Push(State.FlowSequenceEntry);
                return Node(block: false, indentlessSequence: false);
            }
        }

        Skip();
        _state = _states.Pop();
        return new YamlEvent(YamlEventKind.SequenceEnd, token.Start, token.End);
    }

    private YamlEvent FlowMappingKey(bool first)
    {
        var token = Peek();
        if (token is not FlowMappingEnd)
        {
            if (!first)
            {
                if (token is not FlowEntry)
                {
                    throw new Unsupported();
                }

                Skip();
                token = Peek();
            }

            if (token is Key)
            {
                Skip();
                if (Peek() is not (Value or FlowEntry or FlowMappingEnd))
                {
                    _states.Push(State.FlowMappingValue);
                    return Node(block: false, indentlessSequence: false);
                }

                _state = State.FlowMappingValue;
                return Empty(token.End);
            }

            if (token is not FlowMappingEnd)
            {
                // {a, b}: keys without values.
                _states.Push(State.FlowMappingEmptyValue);
                return Node(block: false, indentlessSequence: false);
            }
        }

        Skip();
        _state = _states.Pop();
        return new YamlEvent(YamlEventKind.MappingEnd, token.Start, token.End);
    }

    private YamlEvent FlowMappingValue()
    {
        var token = Peek();
        if (token is Value)
        {
            Skip();
            if (Peek() is not (FlowEntry or FlowMappingEnd))
            {
                _states.Push(State.FlowMappingKey);
                return Node(block: false, indentlessSequence: false);
            }
        }

        _state = State.FlowMappingKey;
        return Empty(Peek().Start);
    }

    // A node left out ("key:" with nothing after it) is an empty plain scalar, null to Kubernetes.
    private static YamlEvent Empty(Mark at) => new(YamlEventKind.Scalar, at, at, "", ScalarStyle.Plain);

    /// <summary>YAML outside the subset this parser takes: the full reader reads the file.</summary>
    internal sealed class Unsupported : Exception;
}

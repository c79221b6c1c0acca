using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// A scanner for the YAML that manifests and <c>kubectl get -o yaml</c> are written in, giving exactly the tokens
/// YamlDotNet's <see cref="Scanner"/> gives for them (kinds, values, styles, lines and columns), at several times its
/// speed: it works on the whole text in memory and on one line at a time, where YamlDotNet reads through a character
/// buffer with a look-ahead queue and tracks every simple key it might meet. YamlDotNet's scanner was about three
/// quarters of reading a 10,000-pod file (docs/benchmarks.md, Whole command).
/// <para>
/// It takes block mappings and sequences, single-line plain and quoted scalars, flow collections on one line, literal
/// block scalars and comments. Anything else (a scalar folded over lines, folded or kept block scalars, anchors, tags,
/// directives, complex keys, tabs, CR line breaks, characters YAML does not print, anything malformed) throws
/// <see cref="NotTaken"/>, and the caller reads the text with YamlDotNet's scanner instead, which reads or reports it.
/// A property test compares the two scanners' tokens on generated and mutated YAML.
/// </para>
/// </summary>
internal sealed class ManifestScanner : IScanner
{
    // YamlDotNet gives up on a simple key this far from its ':'; such keys are left to it.
    private const int SimpleKeyReach = 1000;

    private const int PooledLength = 48;

    private readonly string _text;
    private readonly Queue<Token> _tokens = new();
    private readonly Stack<int> _indents = new();
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _pooled;
    private StringBuilder? _builder;
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private int _indent = -1;
    private int _flowLevel;
    private int _flowLine;
    private bool _simpleKeyAllowed;
    private bool _started;
    private bool _ended;

    public ManifestScanner(string text)
    {
        _text = text;
        _pooled = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <inheritdoc />
    public Mark CurrentPosition => At(_pos);

    /// <inheritdoc />
    public Token? Current { get; private set; }

    /// <inheritdoc />
    public bool MoveNext()
    {
        Current = null;
        return MoveNextWithoutConsuming();
    }

    /// <inheritdoc />
    public bool MoveNextWithoutConsuming()
    {
        if (_tokens.Count == 0 && !_ended)
        {
            Fetch();
        }

        if (_tokens.Count == 0)
        {
            Current = null;
            return false;
        }

        Current = _tokens.Dequeue();
        return true;
    }

    /// <inheritdoc />
    public void ConsumeCurrent() => Current = null;

    private Mark At(int index) => new(index, _line, index - _lineStart + 1);

    private void Fetch()
    {
        if (!_started)
        {
            _started = true;
            _simpleKeyAllowed = true;
            if (_text.Length > 0 && _text[0] == '\uFEFF')
            {
                throw new NotTaken();
            }

            var origin = At(0);
            _tokens.Enqueue(new StreamStart(origin, origin));
            return;
        }

        SkipToToken();
        var column = _pos - _lineStart;
        if (_flowLevel == 0)
        {
            Unroll(column);
        }

        if (_pos >= _text.Length)
        {
            StreamEnd();
            return;
        }

        var c = _text[_pos];
        if (column == 0 && IsMarkerAt(_pos))
        {
            DocumentMarker(c);
            return;
        }

        switch (c)
        {
            case '[':
            case '{':
                FlowStart(c, column);
                return;
            case ']':
            case '}':
                FlowEnd(c);
                return;
            case ',':
                if (_flowLevel == 0)
                {
                    throw new NotTaken();
                }

                _simpleKeyAllowed = true;
                Single(new FlowEntry(At(_pos), At(_pos + 1)));
                return;
            case '-' when IsBlankAt(_pos + 1):
                BlockEntry(column);
                return;
            case '|' when _flowLevel == 0:
                LiteralScalar(column);
                return;
            case '\'':
            case '"':
                QuotedScalar(c, column);
                return;
            case '-' when _flowLevel == 0:
                PlainScalar(column);
                return;
            case '?' or ':' or '-' or '#' or '&' or '*' or '!' or '|' or '>' or '%' or '@' or '`':
                // Complex keys, values without a key, anchors, aliases, tags, folded scalars, reserved indicators.
                throw new NotTaken();
            default:
                PlainScalar(column);
                return;
        }
    }

    // Spaces, comments and line breaks up to the next token. A line break in block context allows a simple key again.
    private void SkipToToken()
    {
        var text = _text;
        var afterSpace = _pos == _lineStart;
        while (_pos < text.Length)
        {
            var c = text[_pos];
            if (c == ' ')
            {
                _pos++;
                afterSpace = true;
            }
            else if (c == '\n')
            {
                if (_flowLevel > 0)
                {
                    // Flow collections over several lines have indentation rules of their own.
                    throw new NotTaken();
                }

                NewLine(_pos + 1);
                afterSpace = true;
                _simpleKeyAllowed = true;
            }
            else if (c == '#')
            {
                if (!afterSpace)
                {
                    throw new NotTaken();
                }

                var end = text.IndexOf('\n', _pos);
                end = end < 0 ? text.Length : end;
                CheckPrintable(_pos, end);
                _pos = end;
            }
            else
            {
                return;
            }
        }
    }

    private void NewLine(int start)
    {
        _pos = start;
        _line++;
        _lineStart = start;
    }

    // The comment's text is skipped, but what YAML does not print is left to YamlDotNet to judge.
    private void CheckPrintable(int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (_text[i] != '\t' && !IsPrintable(_text[i]))
            {
                throw new NotTaken();
            }
        }
    }

    private void Unroll(int column)
    {
        if (_indent <= column)
        {
            return;
        }

        var mark = At(_pos);
        while (_indent > column)
        {
            _tokens.Enqueue(new BlockEnd(mark, mark));
            _indent = _indents.Pop();
        }
    }

    // A block collection starts where its first key or entry is further right than the enclosing one.
    private void Roll(int column, Mark mark, bool sequence)
    {
        if (_flowLevel > 0 || _indent >= column)
        {
            return;
        }

        _indents.Push(_indent);
        _indent = column;
        _tokens.Enqueue(sequence ? new BlockSequenceStart(mark, mark) : new BlockMappingStart(mark, mark));
    }

    private void StreamEnd()
    {
        if (_flowLevel > 0)
        {
            throw new NotTaken();
        }

        // YamlDotNet ends the stream on a line of its own.
        if (_pos != _lineStart)
        {
            _line++;
            _lineStart = _pos;
        }

        Unroll(-1);
        _simpleKeyAllowed = false;
        var mark = At(_pos);
        _tokens.Enqueue(new StreamEnd(mark, mark));
        _ended = true;

        // YamlDotNet's reader stands one past the end once it has seen it.
        _pos++;
    }

    // "---" or "..." followed by a blank: a document marker (at a line's start).
    private bool IsMarkerAt(int at) =>
        _text[at] is '-' or '.' && at + 2 < _text.Length && _text[at + 1] == _text[at] && _text[at + 2] == _text[at] && IsBlankAt(at + 3);

    private void DocumentMarker(char c)
    {
        if (_flowLevel > 0)
        {
            throw new NotTaken();
        }

        Unroll(-1);
        _simpleKeyAllowed = false;
        var start = At(_pos);
        var end = At(_pos + 3);
        _pos += 3;
        _tokens.Enqueue(c == '-' ? new DocumentStart(start, end) : new DocumentEnd(start, start));
    }

    private void FlowStart(char c, int column)
    {
        if (_flowLevel == 0)
        {
            // A flow collection that starts a line where a key must be, or that is itself a key, is left to YamlDotNet.
            if (column == _indent && _simpleKeyAllowed)
            {
                throw new NotTaken();
            }

            _flowLine = _line;
        }

        _flowLevel++;
        _simpleKeyAllowed = true;
        // YamlDotNet gives flow collections' brackets no width.
        var mark = At(_pos);
        Single(c == '[' ? new FlowSequenceStart(mark, mark) : new FlowMappingStart(mark, mark));
    }

    private void FlowEnd(char c)
    {
        if (_flowLevel == 0 || _line != _flowLine)
        {
            throw new NotTaken();
        }

        _flowLevel--;
        _simpleKeyAllowed = false;
        var mark = At(_pos);
        Single(c == ']' ? new FlowSequenceEnd(mark, mark) : new FlowMappingEnd(mark, mark));
        if (_flowLevel == 0 && ColonFollows(_pos))
        {
            throw new NotTaken();
        }
    }

    private void Single(Token token)
    {
        _pos++;
        _tokens.Enqueue(token);
    }

    private void BlockEntry(int column)
    {
        if (_flowLevel > 0 || !_simpleKeyAllowed)
        {
            throw new NotTaken();
        }

        var mark = At(_pos);
        Roll(column, mark, sequence: true);
        _simpleKeyAllowed = true;
        Single(new BlockEntry(mark, At(_pos + 1)));
    }

    private void PlainScalar(int column)
    {
        var text = _text;
        var start = _pos;
        var end = start;
        var i = start;
        var flow = _flowLevel > 0;
        var comment = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                break;
            }

            if (c == ' ')
            {
                if (i + 1 < text.Length && text[i + 1] == '#')
                {
                    comment = true;
                    break;
                }

                if (i + 1 < text.Length && text[i + 1] == '*')
                {
                    // YamlDotNet reads "a *b: c" as one scalar, as if "*b:" were an alias.
                    throw new NotTaken();
                }

                i++;
                continue;
            }

            if (c == ':' && IsBlankAt(i + 1))
            {
                break;
            }

            if (flow)
            {
                if (c is ',' or ']' or '}')
                {
                    break;
                }

                if (c is '[' or '{' or '?' or ':')
                {
                    throw new NotTaken();
                }
            }

            if (!IsPrintable(c))
            {
                throw new NotTaken();
            }

            i++;
            end = i;
        }

        var startMark = At(start);
        var value = Text(start, end);
        var endMark = At(end);
        if (i < text.Length && text[i] == ':')
        {
            Key(column, startMark, new Scalar(value, ScalarStyle.Plain, startMark, endMark), colon: i);
            return;
        }

        NotKey(column);
        _pos = end;
        _tokens.Enqueue(new Scalar(value, ScalarStyle.Plain, startMark, endMark));
        if (!comment && !flow && ContinuesOnNextLine(i))
        {
            // A plain scalar folded over lines.
            throw new NotTaken();
        }
    }

    private void QuotedScalar(char quote, int column)
    {
        var text = _text;
        var start = _pos;
        var i = start + 1;
        var run = i;
        StringBuilder? escaped = null;
        while (true)
        {
            if (i >= text.Length)
            {
                throw new NotTaken();
            }

            var c = text[i];
            if (c == quote)
            {
                if (quote == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
                {
                    escaped ??= Builder();
                    escaped.Append(text, run, i + 1 - run);
                    i += 2;
                    run = i;
                    continue;
                }

                break;
            }

            if (c == '\\' && quote == '"')
            {
                escaped ??= Builder();
                escaped.Append(text, run, i - run);
                i = Escape(i, escaped);
                run = i;
                continue;
            }

            if (c != '\t' && !IsPrintable(c))
            {
                // Line breaks included: a quoted scalar over several lines is folded.
                throw new NotTaken();
            }

            i++;
        }

        string value;
        if (escaped is null)
        {
            value = Text(start + 1, i);
        }
        else
        {
            escaped.Append(text, run, i - run);
            value = escaped.ToString();
        }

        var startMark = At(start);
        var endMark = At(i + 1);
        var scalar = new Scalar(value, quote == '"' ? ScalarStyle.DoubleQuoted : ScalarStyle.SingleQuoted, startMark, endMark);
        var after = SpacesFrom(i + 1);

        if (after < text.Length && text[after] == ':')
        {
            if (!IsBlankAt(after + 1))
            {
                // "a":b is a key only in some YAML versions.
                throw new NotTaken();
            }

            Key(column, startMark, scalar, after);
            return;
        }

        NotKey(column);
        _pos = i + 1;
        _tokens.Enqueue(scalar);
    }

    private int Escape(int at, StringBuilder value)
    {
        if (at + 1 >= _text.Length)
        {
            throw new NotTaken();
        }

        switch (_text[at + 1])
        {
            case '"':
                value.Append('"');
                break;
            case '\\':
                value.Append('\\');
                break;
            case '/':
                value.Append('/');
                break;
            case 'n':
                value.Append('\n');
                break;
            case 't':
                value.Append('\t');
                break;
            case 'r':
                value.Append('\r');
                break;
            case 'u' when at + 5 < _text.Length && ushort.TryParse(_text.AsSpan(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var code) && code is < 0xD800 or > 0xDFFF:
                value.Append((char)code);
                return at + 6;
            default:
                // The rarer escapes, and a line continuation.
                throw new NotTaken();
        }

        return at + 2;
    }

    // The scalar just scanned is a key: its mapping starts here when it is the first key further right, then Key,
    // the scalar and the ':' (which must be on the same line, not too far away).
    private void Key(int column, Mark startMark, Scalar scalar, int colon)
    {
        if (!_simpleKeyAllowed || colon - startMark.Index > SimpleKeyReach)
        {
            throw new NotTaken();
        }

        Roll(column, startMark, sequence: false);
        _tokens.Enqueue(new Key(startMark, startMark));
        _tokens.Enqueue(scalar);
        _tokens.Enqueue(new Value(At(colon), At(colon + 1)));
        _pos = colon + 1;
        _simpleKeyAllowed = false;
    }

    // A scalar that is no key: where a key must be (the mapping's own column), YamlDotNet would report a missing ':'.
    private void NotKey(int column)
    {
        if (_flowLevel == 0 && _simpleKeyAllowed && column == _indent)
        {
            throw new NotTaken();
        }

        _simpleKeyAllowed = false;
    }

    // Whether a plain scalar ending at the line's end goes on: the next line with text, indented further than the
    // enclosing collection, not a comment nor a document marker.
    private bool ContinuesOnNextLine(int from)
    {
        var text = _text;
        var i = SpacesFrom(from);
        if (i >= text.Length)
        {
            return false;
        }

        if (text[i] != '\n')
        {
            throw new NotTaken();
        }

        while (true)
        {
            i++;
            var lineStart = i;
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            if (i >= text.Length)
            {
                return false;
            }

            var c = text[i];
            if (c == '\n')
            {
                continue;
            }

            if (c is '\t' or '\r')
            {
                throw new NotTaken();
            }

            var column = i - lineStart;
            if (column < _indent + 1 || c == '#')
            {
                return false;
            }

            if (column == 0 && IsMarkerAt(i))
            {
                return false;
            }

            return true;
        }
    }

    private bool ColonFollows(int from)
    {
        var i = SpacesFrom(from);
        return i < _text.Length && _text[i] == ':';
    }

    // The first index at or after from that is not a space.
    private int SpacesFrom(int from)
    {
        var i = from;
        while (i < _text.Length && _text[i] == ' ')
        {
            i++;
        }

        return i;
    }

    // "|", "|-" or "|2": the lines below, more indented than the enclosing collection, kept as they are.
    private void LiteralScalar(int column)
    {
        NotKey(column);
        var text = _text;
        var startMark = At(_pos);
        var i = _pos + 1;
        var strip = false;
        var explicitIndent = 0;
        for (var k = 0; k < 2 && i < text.Length; k++)
        {
            var c = text[i];
            if (c == '-' && !strip)
            {
                strip = true;
                i++;
            }
            else if (c is >= '1' and <= '9' && explicitIndent == 0)
            {
                explicitIndent = c - '0';
                i++;
            }
            else if (c == '+')
            {
                throw new NotTaken();
            }
        }

        while (i < text.Length && text[i] == ' ')
        {
            i++;
        }

        if (i < text.Length && text[i] == '#')
        {
            if (text[i - 1] != ' ')
            {
                throw new NotTaken();
            }

            var end = text.IndexOf('\n', i);
            end = end < 0 ? text.Length : end;
            CheckPrintable(i, end);
            i = end;
        }

        if (i >= text.Length || text[i] != '\n')
        {
            throw new NotTaken();
        }

        NewLine(i + 1);
        var first = 0;
        while (_pos + first < text.Length && text[_pos + first] == ' ')
        {
            first++;
        }

        // An empty scalar, or blank lines before the text, are YamlDotNet's business.
        if (_pos + first >= text.Length || text[_pos + first] is '\n' or '\t' or '\r' || first < Math.Max(_indent + 1, 1))
        {
            throw new NotTaken();
        }

        var indent = first;
        if (explicitIndent > 0)
        {
            indent = _indent >= 0 ? _indent + explicitIndent : explicitIndent;
            if (first != indent)
            {
                // YamlDotNet refuses a first line indented further than the indicator says.
                throw new NotTaken();
            }
        }

        var value = Builder();
        var lineBreak = false;
        var blankLines = 0;
        var any = false;
        var textAtEnd = false;
        while (true)
        {
            // The line's indentation, up to the scalar's.
            var spaces = 0;
            while (spaces < indent && _pos + spaces < text.Length && text[_pos + spaces] == ' ')
            {
                spaces++;
            }

            var at = _pos + spaces;
            if (at >= text.Length)
            {
                _pos = at;
                break;
            }

            var c = text[at];
            if (c == '\n')
            {
                blankLines++;
                NewLine(at + 1);
                continue;
            }

            if (spaces < indent)
            {
                if (c is '\t' or '\r')
                {
                    throw new NotTaken();
                }

                _pos = at;
                break;
            }

            if (lineBreak)
            {
                value.Append('\n');
            }

            value.Append('\n', blankLines);
            blankLines = 0;
            var end = text.IndexOf('\n', at);
            end = end < 0 ? text.Length : end;
            CheckPrintable(at, end);
            value.Append(text, at, end - at);
            any = true;
            if (end >= text.Length)
            {
                _pos = end;
                lineBreak = false;
                textAtEnd = true;
                break;
            }

            lineBreak = true;
            NewLine(end + 1);
        }

        if (!any)
        {
            throw new NotTaken();
        }

        if (lineBreak && !strip)
        {
            value.Append('\n');
        }

        _simpleKeyAllowed = true;

        // YamlDotNet ends the scalar where the line after it starts, or where its text ends at the end of the file.
        var endMark = textAtEnd ? At(_pos) : new Mark(_lineStart, _line, 1);
        _tokens.Enqueue(new Scalar(value.ToString(), ScalarStyle.Literal, startMark, endMark));
    }

    private StringBuilder Builder()
    {
        _builder ??= new StringBuilder(256);
        _builder.Clear();
        return _builder;
    }

    // Short texts (keys, names, quantities) come back often; one string each.
    private string Text(int start, int end)
    {
        var length = end - start;
        if (length > PooledLength)
        {
            return _text.Substring(start, length);
        }

        var span = _text.AsSpan(start, length);
        if (_pooled.TryGetValue(span, out var pooled))
        {
            return pooled;
        }

        var text = span.ToString();
        if (_pool.Count < 8192)
        {
            _pool[text] = text;
        }

        return text;
    }

    private bool IsBlankAt(int index) => index >= _text.Length || _text[index] is ' ' or '\n';

    // What YAML prints, less what this scanner leaves to YamlDotNet (tabs, CR and the Unicode line breaks).
    private static bool IsPrintable(char c) =>
        c is (>= ' ' and <= '~') or (>= '\u00A0' and <= '\uD7FF' and not '\u2028' and not '\u2029') or (>= '\uE000' and <= '\uFFFD' and not '\uFEFF');

    /// <summary>Text outside what this scanner takes: the caller reads it with YamlDotNet's scanner.</summary>
    internal sealed class NotTaken : Exception;
}

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>One event of <see cref="YamlTokenParser"/>: a node's start or end, or a scalar with its text and style, where it is in the file.</summary>
internal readonly record struct YamlEvent(YamlEventKind Kind, Mark Start, Mark End, string Value = "", ScalarStyle Style = ScalarStyle.Any)
{
    /// <summary>A plain empty, ~ or null scalar: null to Kubernetes (a quoted "null" is text).</summary>
    public bool IsNull => Kind == YamlEventKind.Scalar && Style is ScalarStyle.Plain or ScalarStyle.Any && Value is "" or "~" or "null" or "Null" or "NULL";

    /// <summary>The same event as YamlDotNet's parser makes it, for building a tree from recorded events.</summary>
    public ParsingEvent ToParsingEvent() => Kind switch
    {
        YamlEventKind.MappingStart => new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Any, Start, End),
        YamlEventKind.MappingEnd => new MappingEnd(Start, End),
        YamlEventKind.SequenceStart => new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Any, Start, End),
        YamlEventKind.SequenceEnd => new SequenceEnd(Start, End),
        YamlEventKind.Scalar => new Scalar(AnchorName.Empty, TagName.Empty, Value, Style, Style is ScalarStyle.Plain or ScalarStyle.Any, Style is not (ScalarStyle.Plain or ScalarStyle.Any), Start, End),
        _ => throw new InvalidOperationException($"{Kind} is not a node event"),
    };
}

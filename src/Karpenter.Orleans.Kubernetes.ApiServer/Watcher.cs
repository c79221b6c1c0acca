using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// One open watch: the filter it was opened with and the queue of JSON event lines its response
/// writes in order. The store fills the queue under its lock, so events and bookmarks keep
/// resourceVersion order.
/// </summary>
internal sealed class Watcher(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, bool bookmarks, bool asTable = false)
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public ResourceType Type { get; } = type;

    public bool Bookmarks { get; } = bookmarks;

    public ChannelReader<string> Lines => _lines.Reader;

    /// <summary>Queues what this watch sees of a stored change, if anything.</summary>
    public void Offer(WatchEvent change)
    {
        if (change.StorageKey != Type.StorageKey)
        {
            return;
        }

        var now = Selects(change.Object);
        var before = change.Previous is not null && Selects(change.Previous);
        // A change that moves an object into or out of the selection is an ADDED or DELETED for
        // this watch, as the real watch cache reports it.
        var type = change.Type switch
        {
            "ADDED" => now ? "ADDED" : null,
            "DELETED" => now ? "DELETED" : null,
            _ when now && before => "MODIFIED",
            _ when now => "ADDED",
            _ when before => "DELETED",
            _ => null,
        };
        if (type is not null)
        {
            Send(type, change.Object);
        }
    }

    /// <summary>A synthetic ADDED for the initial state of a watch started without a resourceVersion.</summary>
    public void Initial(JsonObject obj)
    {
        if (Selects(obj))
        {
            Send("ADDED", obj);
        }
    }

    public void Bookmark(long resourceVersion, bool initialEventsEnd = false)
    {
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        Write("BOOKMARK", new JsonObject { ["kind"] = Type.Kind, ["apiVersion"] = Type.ApiVersion, ["metadata"] = metadata });
    }

    /// <summary>An ERROR event carrying a Status (410 Expired), then the end of the stream.</summary>
    public void Fail(JsonObject status)
    {
        Write("ERROR", status);
        Close();
    }

    public void Close() => _lines.Writer.TryComplete();

    private bool Selects(JsonObject obj) =>
        (ns is null || obj["metadata"]?["namespace"].Str() == ns) && labels.Matches(obj) && fields.Matches(obj);

    private void Send(string type, JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy["apiVersion"] = Type.ApiVersion;
        // kubectl get --watch asks for Tables: each event then carries a one-row Table.
        Write(type, asTable ? Tables.Of(Type, [copy], null, null) : copy);
    }

    private void Write(string type, JsonObject obj) =>
        _lines.Writer.TryWrite(new JsonObject { ["type"] = type, ["object"] = obj }.ToJsonString());
}

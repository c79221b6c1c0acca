namespace Karpenter.Orleans.Grains.Clusters.Termination;

/// <summary>
/// The agent's command channel over the cluster's persisted list: issuing is idempotent by id, a command
/// stays until the agent acknowledges it, and an ack for an id not (or no longer) in the list is ignored.
/// </summary>
internal sealed class CommandOutbox(Func<List<CommandEntry>> commands)
{
    /// <summary>Set whenever the list changed, so the cluster knows to write its state.</summary>
    public bool Changed { get; set; }

    public IReadOnlyList<ClusterCommand> Pending => commands().Select(c => c.ToCommand()).ToList();

    public bool Contains(string id) => commands().Any(c => c.Id == id);

    /// <summary>Adds the command unless one with this id is already waiting; true when it was added.</summary>
    public bool Issue(string id, ClusterCommandKind kind, string node, DateTimeOffset now, string? ns = null, string? pod = null, string? taint = null)
    {
        var list = commands();
        if (list.Any(c => c.Id == id))
        {
            return false;
        }

        list.Add(new CommandEntry { Id = id, Kind = kind, Node = node, Namespace = ns, Pod = pod, Taint = taint, IssuedAt = now });
        Changed = true;
        return true;
    }

    /// <summary>Removes and returns the command the ack answers; null for a duplicate or unknown ack.</summary>
    public CommandEntry? Take(string id)
    {
        var list = commands();
        var index = list.FindIndex(c => c.Id == id);
        if (index < 0)
        {
            return null;
        }

        var entry = list[index];
        list.RemoveAt(index);
        Changed = true;
        return entry;
    }

    /// <summary>Drops every command for a node that left the cluster: there is nothing left to do them on.</summary>
    public void DropNode(string node)
    {
        if (commands().RemoveAll(c => c.Node == node) > 0)
        {
            Changed = true;
        }
    }
}

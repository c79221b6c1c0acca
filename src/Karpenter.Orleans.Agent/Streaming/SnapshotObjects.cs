using System.Collections;
using System.Text;
using Karpenter.Orleans.Abstractions;

namespace Karpenter.Orleans.Agent.Streaming;

/// <summary>
/// A snapshot's objects as the mirror holds them (UTF-8), turned into <see cref="ClusterObject"/>s one at a time
/// as the snapshot is serialized: a 5,000-node cluster's snapshot then costs the agent an array of references
/// while it is sent, not a second copy of every object as a string.
/// </summary>
internal sealed class SnapshotObjects(KeyValuePair<ObjectKind, byte[]>[] held) : IReadOnlyList<ClusterObject>
{
    public int Count => held.Length;

    public ClusterObject this[int index] => new(held[index].Key, Encoding.UTF8.GetString(held[index].Value));

    public IEnumerator<ClusterObject> GetEnumerator()
    {
        for (var i = 0; i < held.Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

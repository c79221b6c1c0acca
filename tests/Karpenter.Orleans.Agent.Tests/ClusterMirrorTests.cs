using CsCheck;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Agent.Streaming;

namespace Karpenter.Orleans.Agent.Tests;

public sealed class ClusterMirrorTests
{
    private static readonly ObjectKind[] Kinds = [ObjectKind.Pod, ObjectKind.Node];

    private static ObjectKey Pod(string name) => new(ObjectKind.Pod, "default", name);

    private static ClusterMirror Listed(params (string Name, string Json)[] pods)
    {
        var mirror = new ClusterMirror(Kinds);
        mirror.Replace(ObjectKind.Pod, [.. pods.Select(p => KeyValuePair.Create(Pod(p.Name), p.Json))]);
        mirror.Replace(ObjectKind.Node, []);
        return mirror;
    }

    [Fact]
    public void Nothing_is_taken_until_every_kind_has_been_listed()
    {
        var mirror = new ClusterMirror(Kinds);
        mirror.Replace(ObjectKind.Pod, [KeyValuePair.Create(Pod("a"), "{}")]);

        Assert.Null(mirror.Take("s", 10));

        mirror.Replace(ObjectKind.Node, []);
        var snapshot = Assert.IsType<ClusterSnapshot>(mirror.Take("s", 10));
        Assert.Equal(0, snapshot.Sequence);
        Assert.Equal([new ClusterObject(ObjectKind.Pod, "{}")], snapshot.Objects);
    }

    [Fact]
    public void Changes_to_one_object_between_takes_are_sent_once_with_its_latest_state_and_sequences_rise_by_one()
    {
        var mirror = Listed(("a", "v1"), ("b", "v1"));
        mirror.Take("s", 10);

        mirror.Upsert(Pod("a"), "v2");
        mirror.Upsert(Pod("b"), "v2");
        mirror.Upsert(Pod("a"), "v3");
        mirror.Delete(Pod("b"));
        mirror.Upsert(Pod("c"), "v1");

        var batch = Assert.IsType<DeltaBatch>(mirror.Take("s", 10));
        Assert.Equal(
            [
                new ObjectDelta(1, DeltaType.Upsert, ObjectKind.Pod, "default", "a", "v3"),
                new ObjectDelta(2, DeltaType.Delete, ObjectKind.Pod, "default", "b"),
                new ObjectDelta(3, DeltaType.Upsert, ObjectKind.Pod, "default", "c", "v1"),
            ],
            batch.Deltas);
        Assert.Null(mirror.Take("s", 10));
    }

    [Fact]
    public void An_object_created_and_deleted_between_takes_is_never_sent_and_an_unchanged_one_sends_nothing()
    {
        var mirror = Listed(("a", "v1"));
        mirror.Take("s", 10);

        mirror.Upsert(Pod("ghost"), "v1");
        mirror.Delete(Pod("ghost"));
        mirror.Upsert(Pod("a"), "v1");

        Assert.Null(mirror.Take("s", 10));
        Assert.Equal(0, mirror.Sequence);
    }

    [Fact]
    public void A_batch_holds_at_most_the_limit_and_the_rest_follows_in_order()
    {
        var mirror = Listed();
        mirror.Take("s", 10);
        foreach (var i in Enumerable.Range(0, 5))
        {
            mirror.Upsert(Pod($"p{i}"), "v1");
        }

        var first = Assert.IsType<DeltaBatch>(mirror.Take("s", 3));
        var second = Assert.IsType<DeltaBatch>(mirror.Take("s", 3));

        Assert.Equal(["p0", "p1", "p2"], first.Deltas.Select(d => d.Name));
        Assert.Equal([4L, 5L], second.Deltas.Select(d => d.Sequence));
    }

    [Fact]
    public void A_required_snapshot_replaces_what_was_pending_and_keeps_the_sequence()
    {
        var mirror = Listed(("a", "v1"));
        mirror.Take("s", 10);
        mirror.Upsert(Pod("a"), "v2");
        mirror.Take("s", 10);
        mirror.Upsert(Pod("b"), "v1");

        mirror.RequireSnapshot();
        var snapshot = Assert.IsType<ClusterSnapshot>(mirror.Take("s2", 10));

        Assert.Equal("s2", snapshot.AgentSession);
        Assert.Equal(1, snapshot.Sequence);
        Assert.Equal(["v2", "v1"], snapshot.Objects.Select(o => o.Json));
        Assert.Null(mirror.Take("s2", 10));
    }

    [Fact]
    public void A_relist_deletes_what_vanished_updates_what_changed_and_asks_for_a_snapshot()
    {
        var mirror = Listed(("a", "v1"), ("b", "v1"));
        mirror.Take("s", 10);

        mirror.Replace(ObjectKind.Pod, [KeyValuePair.Create(Pod("b"), "v2"), KeyValuePair.Create(Pod("c"), "v1")]);

        Assert.Null(mirror.Get(Pod("a")));
        Assert.Equal("v2", mirror.Get(Pod("b")));
        var snapshot = Assert.IsType<ClusterSnapshot>(mirror.Take("s", 10));
        Assert.Equal(["v1", "v2"], snapshot.Objects.Select(o => o.Json).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Whatever happens (changes, takes, sends lost, re-lists), a service that applies what it receives as the
    /// cluster grain does (a snapshot replaces, a delta applies only as the next sequence number) ends with
    /// exactly the cluster's objects once the mirror has nothing more to send.
    /// </summary>
    [Fact]
    public void The_service_applying_what_it_is_sent_ends_equal_to_the_cluster()
    {
        var op = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 5], Gen.Int[0, 3]);
        op.List[0, 80].Sample(ops =>
        {
            var cluster = new Dictionary<ObjectKey, string>();
            var mirror = new ClusterMirror([ObjectKind.Pod]);
            mirror.Replace(ObjectKind.Pod, []);
            var service = new Dictionary<ObjectKey, string>();
            long serviceSequence = -1;
            var session = "s0";

            void Receive(object? sent)
            {
                switch (sent)
                {
                    case ClusterSnapshot snapshot:
                        service = snapshot.Objects.ToDictionary(o => Key(o.Json), o => o.Json);
                        serviceSequence = snapshot.Sequence;
                        break;
                    case DeltaBatch batch:
                        foreach (var delta in batch.Deltas)
                        {
                            Assert.Equal(serviceSequence + 1, delta.Sequence);
                            serviceSequence = delta.Sequence;
                            var key = Pod(delta.Name);
                            if (delta.Type == DeltaType.Delete)
                            {
                                service.Remove(key);
                            }
                            else
                            {
                                service[key] = delta.Json!;
                            }
                        }

                        break;
                }
            }

            foreach (var (kind, index, version) in ops)
            {
                var key = Pod($"p{index}");
                var json = $"p{index}@{version}";
                switch (kind)
                {
                    case 0 or 1:
                        cluster[key] = json;
                        mirror.Upsert(key, json);
                        break;
                    case 2:
                        cluster.Remove(key);
                        mirror.Delete(key);
                        break;
                    case 3:
                        Receive(mirror.Take(session, 1 + version));
                        break;
                    case 4:
                        // A send lost on the way: a new session and a snapshot.
                        mirror.Take(session, 2);
                        session = $"s{index}{version}";
                        mirror.RequireSnapshot();
                        break;
                    default:
                        // A re-list that finds pods p0..p{index} at this version.
                        cluster = Enumerable.Range(0, index).ToDictionary(i => Pod($"p{i}"), i => $"p{i}@{version}");
                        mirror.Replace(ObjectKind.Pod, [.. cluster]);
                        break;
                }
            }

            while (mirror.Take(session, 3) is { } sent)
            {
                Receive(sent);
            }

            Assert.Equal(cluster.OrderBy(p => p.Key.Name), service.OrderBy(p => p.Key.Name));
        });
    }

    private static ObjectKey Key(string json) => Pod(json.Split('@')[0]);
}

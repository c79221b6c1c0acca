using System.Text.Json.Nodes;
using CsCheck;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

/// <summary>
/// The invariant an agent's list-then-watch rests on: the list at any retained resourceVersion is
/// the state the store had then, and replaying a watch from there onto that list gives the state
/// now, under any selector: nothing lost, nothing counted twice.
/// </summary>
public sealed class ListWatchPropertyTests
{
    private static readonly string[] Selectors = ["", "app=a", "app!=a", "app in (a,b)", "!app"];

    [Fact]
    public void AListAtAnyVersionPlusTheWatchFromItEqualsTheStateNow()
    {
        var operations = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 4], Gen.Int[0, 3]).List[1, 40];
        Gen.Select(operations, Gen.Int[0, Selectors.Length - 1], Gen.Int[0, 1000]).Sample((ops, selectorIndex, pick) =>
        {
            var store = new ObjectStore(new ResourceRegistry(), TimeProvider.System, historyLimit: 1_000);
            store.Seed(ResourceRegistry.Namespaces, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } });
            var pods = ResourceRegistry.Pods;
            var snapshots = new List<(long Version, Dictionary<string, string?> State)> { (store.ResourceVersion, []) };
            var state = new Dictionary<string, string?>();
            foreach (var (kind, index, label) in ops)
            {
                var name = $"p{index}";
                var labels = label == 3 ? null : new JsonObject { ["app"] = "abc"[label].ToString() };
                var exists = state.ContainsKey(name);
                if (kind == 2 && exists)
                {
                    store.Delete(pods, "default", name, null, dryRun: false);
                    state.Remove(name);
                }
                else if (exists)
                {
                    store.Patch(pods, "default", name, current =>
                    {
                        ObjectStore.Metadata(current!)["labels"] = labels;
                        return current!;
                    }, statusOnly: false, createIfMissing: false, dryRun: false);
                    state[name] = labels?["app"]?.GetValue<string>();
                }
                else
                {
                    store.Create(pods, "default", new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels } }, dryRun: false);
                    state[name] = labels?["app"]?.GetValue<string>();
                }

                snapshots.Add((store.ResourceVersion, new Dictionary<string, string?>(state)));
            }

            var selector = LabelSelector.Parse(Selectors[selectorIndex]);
            bool Selected(string? app) => selector.Matches(app is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["app"] = app });
            var (at, then) = snapshots[pick % snapshots.Count];
            var query = new ListQuery(selector, FieldSelector.Parse(null, pods), ResourceVersion: at.ToString(System.Globalization.CultureInfo.InvariantCulture), ResourceVersionMatch: "Exact");

            var listed = store.List(pods, "default", query).Items.ToDictionary(o => o["metadata"]!["name"]!.GetValue<string>(), o => o["metadata"]!["labels"]?["app"]?.GetValue<string>());
            Assert.Equal(then.Where(kv => Selected(kv.Value)).OrderBy(kv => kv.Key), listed.OrderBy(kv => kv.Key));

            var watcher = store.Watch(pods, "default", query, bookmarks: false, sendInitialEvents: false);
            while (watcher.Lines.TryRead(out var line))
            {
                var change = JsonNode.Parse(line)!;
                var name = change["object"]!["metadata"]!["name"]!.GetValue<string>();
                switch (change["type"]!.GetValue<string>())
                {
                    case "ADDED":
                        Assert.True(listed.TryAdd(name, change["object"]!["metadata"]!["labels"]?["app"]?.GetValue<string>()), $"ADDED {name} twice");
                        break;
                    case "MODIFIED":
                        Assert.True(listed.ContainsKey(name), $"MODIFIED {name} never added");
                        listed[name] = change["object"]!["metadata"]!["labels"]?["app"]?.GetValue<string>();
                        break;
                    case "DELETED":
                        Assert.True(listed.Remove(name), $"DELETED {name} never added");
                        break;
                }
            }

            Assert.Equal(state.Where(kv => Selected(kv.Value)).OrderBy(kv => kv.Key), listed.OrderBy(kv => kv.Key));
        }, iter: 300);
    }
}

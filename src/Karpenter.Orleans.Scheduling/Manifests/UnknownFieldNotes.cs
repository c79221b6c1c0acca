using System.Text.RegularExpressions;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Unknown-field warnings, each field said once: the first object with it gets the located line, the others are
/// counted in one closing line, so a dump of 10,000 pods from a newer Kubernetes than KubernetesClient's models
/// gives two lines, not 10,000.
/// </summary>
internal sealed partial class UnknownFieldNotes(TextWriter? warnings)
{
    private readonly Dictionary<string, int> _repeats = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public void Add(ManifestDocument doc, string path, string field)
    {
        if (warnings is null)
        {
            return;
        }

        var key = $"{doc.Kind} {Indices().Replace(path, "[]")}";
        if (_repeats.TryGetValue(key, out var seen))
        {
            _repeats[key] = seen + 1;
            return;
        }

        _repeats[key] = 0;
        _order.Add(key);
        warnings.WriteLine($"{doc.Describe()}: {path}: unknown field \"{field}\" ignored");
    }

    public void WriteRepeats()
    {
        foreach (var key in _order.Where(k => _repeats[k] > 0))
        {
            var n = _repeats[key];
            warnings!.WriteLine($"the same unknown field ({key}) was ignored in {n} more object{(n == 1 ? "" : "s")}");
        }
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Indices();
}

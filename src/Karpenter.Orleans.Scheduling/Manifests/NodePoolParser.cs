using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;
using Karpenter.Orleans.Scheduling.Model;
using YamlDotNet.RepresentationModel;

namespace Karpenter.Orleans.Scheduling.Manifests;

/// <summary>
/// Reads a karpenter.sh/v1 NodePool document into a <see cref="NodePool"/>, applying the CRD's defaults
/// and validation rules. KubernetesClient has no model for it, so it is read from the YAML tree.
/// </summary>
internal sealed partial class NodePoolParser
{
    private const int MaxRequirements = 100;
    private const int MaxBudgets = 50;
    private const int MaxTemplateLabels = 100;

    private static readonly Dictionary<string, RequirementOperator> Operators = new(StringComparer.Ordinal)
    {
        ["In"] = RequirementOperator.In,
        ["NotIn"] = RequirementOperator.NotIn,
        ["Exists"] = RequirementOperator.Exists,
        ["DoesNotExist"] = RequirementOperator.DoesNotExist,
        ["Gt"] = RequirementOperator.Gt,
        ["Lt"] = RequirementOperator.Lt,
        ["Gte"] = RequirementOperator.Gte,
        ["Lte"] = RequirementOperator.Lte,
    };

    private static readonly Dictionary<string, ConsolidationPolicy> Policies = new(StringComparer.Ordinal)
    {
        ["WhenEmptyOrUnderutilized"] = ConsolidationPolicy.WhenEmptyOrUnderutilized,
        ["WhenEmpty"] = ConsolidationPolicy.WhenEmpty,
        ["Balanced"] = ConsolidationPolicy.Balanced,
    };

    private static readonly HashSet<string> TaintEffects = new(StringComparer.Ordinal) { "NoSchedule", "PreferNoSchedule", "NoExecute" };

    private static readonly HashSet<string> BudgetReasons = new(StringComparer.Ordinal) { "Underutilized", "Empty", "Drifted" };

    private static readonly HashSet<string> CronMacros = new(StringComparer.Ordinal)
    {
        "@annually", "@yearly", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    };

    private readonly ManifestDocument _doc;
    private readonly TextWriter? _warnings;

    private NodePoolParser(ManifestDocument doc, TextWriter? warnings)
    {
        _doc = doc;
        _warnings = warnings;
    }

    public static NodePool Parse(ManifestDocument doc, TextWriter? warnings) => new NodePoolParser(doc, warnings).Parse();

    private NodePool Parse()
    {
        var root = _doc.Root;
        KnownFields(root, "", "apiVersion", "kind", "metadata", "spec", "status");
        var metadata = Map(Get(root, "metadata"), "metadata");
        var name = Str(Get(metadata, "name"), "metadata.name");
        if (string.IsNullOrEmpty(name))
        {
            throw _doc.Error("metadata.name", "required");
        }

        var spec = Map(Get(root, "spec"), "spec");
        KnownFields(spec, "spec", "template", "disruption", "limits", "weight", "replicas");
        var template = Map(Get(spec, "template"), "spec.template");
        KnownFields(template, "spec.template", "metadata", "spec");
        var templateMetadata = Map(Get(template, "metadata"), "spec.template.metadata");
        KnownFields(templateMetadata, "spec.template.metadata", "labels", "annotations");
        var templateSpec = Map(Get(template, "spec"), "spec.template.spec");
        KnownFields(templateSpec, "spec.template.spec", "taints", "startupTaints", "requirements", "nodeClassRef", "terminationGracePeriod", "expireAfter");

        if (!YamlFields.IsNull(Get(spec, "replicas")))
        {
            Warn("spec.replicas", "static NodePools are not simulated; the NodePool is treated as a dynamic one");
        }

        var taints = Taints(Get(templateSpec, "taints"), "spec.template.spec.taints");
        var startupTaints = Taints(Get(templateSpec, "startupTaints"), "spec.template.spec.startupTaints");
        CheckDuplicateTaints(taints, startupTaints);

        return new NodePool
        {
            Name = name,
            Weight = Weight(Get(spec, "weight")),
            Labels = TemplateLabels(Get(templateMetadata, "labels"), "spec.template.metadata.labels"),
            Annotations = StringMap(Get(templateMetadata, "annotations"), "spec.template.metadata.annotations"),
            Requirements = Requirements(Get(templateSpec, "requirements"), "spec.template.spec.requirements"),
            Taints = taints.Select(t => t.Taint).ToList(),
            StartupTaints = startupTaints.Select(t => t.Taint).ToList(),
            NodeClassRef = NodeClassRef(Get(templateSpec, "nodeClassRef"), "spec.template.spec.nodeClassRef"),
            ExpireAfter = DurationOrNever(Get(templateSpec, "expireAfter"), "spec.template.spec.expireAfter", TimeSpan.FromHours(720)),
            TerminationGracePeriod = Duration(Get(templateSpec, "terminationGracePeriod"), "spec.template.spec.terminationGracePeriod"),
            Limits = Limits(Get(spec, "limits"), "spec.limits"),
            Disruption = Disruption(Get(spec, "disruption"), "spec.disruption"),
        };
    }

    private int Weight(YamlNode? node)
    {
        var weight = Int(node, "spec.weight");
        if (weight is < 1 or > 100)
        {
            throw _doc.Error("spec.weight", $"must be between 1 and 100, got {weight}");
        }

        return weight ?? 0;
    }

    private Dictionary<string, string> TemplateLabels(YamlNode? node, string path)
    {
        var labels = StringMap(node, path);
        if (labels.Count > MaxTemplateLabels)
        {
            throw _doc.Error(path, $"at most {MaxTemplateLabels} labels are allowed, got {labels.Count}");
        }

        foreach (var (key, value) in labels)
        {
            var field = YamlFields.Join(path, key);
            if ((LabelSyntax.CheckKey(key) ?? LabelSyntax.TemplateLabelRestriction(key) ?? LabelSyntax.CheckValue(value)) is { } problem)
            {
                throw _doc.Error(field, problem);
            }
        }

        return labels;
    }

    private List<NodeSelectorRequirementWithMinValues> Requirements(YamlNode? node, string path)
    {
        var items = Seq(node, path);
        if (items is null)
        {
            return [];
        }

        if (items.Children.Count > MaxRequirements)
        {
            throw _doc.Error(path, $"at most {MaxRequirements} requirements are allowed, got {items.Children.Count}");
        }

        var result = new List<NodeSelectorRequirementWithMinValues>(items.Children.Count);
        for (var i = 0; i < items.Children.Count; i++)
        {
            result.Add(Requirement(items.Children[i], YamlFields.Index(path, i)));
        }

        return result;
    }

    private NodeSelectorRequirementWithMinValues Requirement(YamlNode node, string path)
    {
        var map = Map(node, path) ?? throw _doc.Error(path, "a requirement needs key and operator");
        KnownFields(map, path, "key", "operator", "values", "minValues");
        var keyPath = YamlFields.Join(path, "key");
        var key = Str(Get(map, "key"), keyPath);
        if (string.IsNullOrEmpty(key))
        {
            throw _doc.Error(keyPath, "required");
        }

        if ((LabelSyntax.CheckKey(key) ?? LabelSyntax.RequirementKeyRestriction(key)) is { } keyProblem)
        {
            throw _doc.Error(keyPath, keyProblem);
        }

        var operatorPath = YamlFields.Join(path, "operator");
        var operatorText = Str(Get(map, "operator"), operatorPath);
        if (string.IsNullOrEmpty(operatorText))
        {
            throw _doc.Error(operatorPath, "required (one of In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte)");
        }

        if (!Operators.TryGetValue(operatorText, out var op))
        {
            throw _doc.Error(operatorPath, $"unknown operator \"{operatorText}\"; expected one of In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte");
        }

        var valuesPath = YamlFields.Join(path, "values");
        var values = StringList(Get(map, "values"), valuesPath);
        switch (op)
        {
            case RequirementOperator.In when values.Count == 0:
                throw _doc.Error(valuesPath, "operator In needs at least one value");
            case RequirementOperator.Exists or RequirementOperator.DoesNotExist when values.Count > 0:
                throw _doc.Error(valuesPath, $"operator {op} takes no values, got {values.Count}");
            case RequirementOperator.Gt or RequirementOperator.Lt or RequirementOperator.Gte or RequirementOperator.Lte:
                if (values.Count != 1)
                {
                    throw _doc.Error(valuesPath, $"operator {op} needs exactly one value, a non-negative integer; got {values.Count}");
                }

                if (!NonNegativeInteger().IsMatch(values[0]) || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    throw _doc.Error(YamlFields.Index(valuesPath, 0), $"operator {op} needs a non-negative integer, got \"{values[0]}\"");
                }

                break;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (LabelSyntax.CheckValue(values[i]) is { } valueProblem)
            {
                throw _doc.Error(YamlFields.Index(valuesPath, i), valueProblem);
            }
        }

        var minValuesPath = YamlFields.Join(path, "minValues");
        var minValues = Int(Get(map, "minValues"), minValuesPath);
        if (minValues is < 1 or > 50)
        {
            throw _doc.Error(minValuesPath, $"must be between 1 and 50, got {minValues}");
        }

        if (op == RequirementOperator.In && minValues > values.Count)
        {
            throw _doc.Error(valuesPath, $"operator In with minValues {minValues} needs at least {minValues} values, got {values.Count}");
        }

        return new NodeSelectorRequirementWithMinValues(WellKnownLabels.Normalize(key), op, values, minValues);
    }

    private List<(V1Taint Taint, string Path)> Taints(YamlNode? node, string path)
    {
        var items = Seq(node, path);
        var result = new List<(V1Taint, string)>();
        for (var i = 0; i < (items?.Children.Count ?? 0); i++)
        {
            var itemPath = YamlFields.Index(path, i);
            var map = Map(items!.Children[i], itemPath) ?? throw _doc.Error(itemPath, "a taint needs key and effect");
            KnownFields(map, itemPath, "key", "value", "effect", "timeAdded");
            var key = Str(Get(map, "key"), YamlFields.Join(itemPath, "key"));
            if (string.IsNullOrEmpty(key))
            {
                throw _doc.Error(YamlFields.Join(itemPath, "key"), "required");
            }

            if (LabelSyntax.CheckKey(key) is { } keyProblem)
            {
                throw _doc.Error(YamlFields.Join(itemPath, "key"), keyProblem.Replace("label key", "taint key", StringComparison.Ordinal));
            }

            var value = Str(Get(map, "value"), YamlFields.Join(itemPath, "value"));
            if (value is not null && LabelSyntax.CheckValue(value) is { } valueProblem)
            {
                throw _doc.Error(YamlFields.Join(itemPath, "value"), valueProblem.Replace("label value", "taint value", StringComparison.Ordinal));
            }

            var effectPath = YamlFields.Join(itemPath, "effect");
            var effect = Str(Get(map, "effect"), effectPath);
            if (string.IsNullOrEmpty(effect))
            {
                throw _doc.Error(effectPath, "required (one of NoSchedule, PreferNoSchedule, NoExecute)");
            }

            if (!TaintEffects.Contains(effect))
            {
                throw _doc.Error(effectPath, $"unknown effect \"{effect}\"; expected one of NoSchedule, PreferNoSchedule, NoExecute");
            }

            result.Add((new V1Taint { Key = key, Value = value, Effect = effect }, itemPath));
        }

        return result;
    }

    private void CheckDuplicateTaints(List<(V1Taint Taint, string Path)> taints, List<(V1Taint Taint, string Path)> startupTaints)
    {
        var seen = new Dictionary<(string, string), string>();
        foreach (var (taint, path) in taints.Concat(startupTaints))
        {
            if (!seen.TryAdd((taint.Key, taint.Effect), path))
            {
                throw _doc.Error(path, $"duplicate taint {taint.Key}:{taint.Effect} (also at {seen[(taint.Key, taint.Effect)]})");
            }
        }
    }

    private NodeClassReference? NodeClassRef(YamlNode? node, string path)
    {
        var map = Map(node, path);
        if (map is null)
        {
            return null;
        }

        KnownFields(map, path, "group", "kind", "name");
        return new NodeClassReference(Required(map, "group", path), Required(map, "kind", path), Required(map, "name", path));
    }

    private Dictionary<string, string> Limits(YamlNode? node, string path)
    {
        var map = Map(node, path);
        var limits = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map is null)
        {
            return limits;
        }

        foreach (var (k, v) in YamlFields.Entries(map))
        {
            var name = KeyOf(k, path);
            var field = YamlFields.Join(path, name);
            var text = v is YamlScalarNode s ? s.Value : throw _doc.Error(field, $"expected a quantity, found {YamlManifestReader.Describe(v)}");
            if (Quantities.TryParse(name, text, out var problem) is null)
            {
                throw _doc.Error(field, problem);
            }

            limits[name] = text!.Trim();
        }

        return limits;
    }

    private NodePoolDisruption Disruption(YamlNode? node, string path)
    {
        var map = Map(node, path);
        if (map is null)
        {
            return NodePoolDisruption.Default;
        }

        KnownFields(map, path, "consolidateAfter", "consolidationPolicy", "budgets");
        var policyPath = YamlFields.Join(path, "consolidationPolicy");
        var policyText = Str(Get(map, "consolidationPolicy"), policyPath);
        var policy = ConsolidationPolicy.WhenEmptyOrUnderutilized;
        if (policyText is not null && !Policies.TryGetValue(policyText, out policy))
        {
            throw _doc.Error(policyPath, $"unknown policy \"{policyText}\"; expected one of WhenEmpty, WhenEmptyOrUnderutilized, Balanced");
        }

        var consolidateAfter = DurationOrNever(Get(map, "consolidateAfter"), YamlFields.Join(path, "consolidateAfter"), TimeSpan.Zero);
        var budgetsNode = Get(map, "budgets");
        var budgets = YamlFields.IsNull(budgetsNode) ? NodePoolDisruption.Default.Budgets : Budgets(budgetsNode, YamlFields.Join(path, "budgets"));
        return new NodePoolDisruption(policy, consolidateAfter, budgets);
    }

    private List<DisruptionBudget> Budgets(YamlNode? node, string path)
    {
        var items = Seq(node, path)!;
        if (items.Children.Count > MaxBudgets)
        {
            throw _doc.Error(path, $"at most {MaxBudgets} budgets are allowed, got {items.Children.Count}");
        }

        var budgets = new List<DisruptionBudget>(items.Children.Count);
        for (var i = 0; i < items.Children.Count; i++)
        {
            var itemPath = YamlFields.Index(path, i);
            var map = Map(items.Children[i], itemPath) ?? throw _doc.Error(itemPath, "a budget needs nodes");
            KnownFields(map, itemPath, "nodes", "schedule", "duration", "reasons");
            var nodes = Str(Get(map, "nodes"), YamlFields.Join(itemPath, "nodes")) ?? "10%";
            if (!BudgetNodes().IsMatch(nodes))
            {
                throw _doc.Error(YamlFields.Join(itemPath, "nodes"), $"\"{nodes}\" is not a node count or a percentage (like 5 or 10%)");
            }

            var schedulePath = YamlFields.Join(itemPath, "schedule");
            var schedule = Str(Get(map, "schedule"), schedulePath);
            var durationPath = YamlFields.Join(itemPath, "duration");
            var durationText = Str(Get(map, "duration"), durationPath);
            if (schedule is not null && durationText is null)
            {
                throw _doc.Error(durationPath, "required when schedule is set ('schedule' must be set with 'duration')");
            }

            if (durationText is not null && schedule is null)
            {
                throw _doc.Error(schedulePath, "required when duration is set ('schedule' must be set with 'duration')");
            }

            if (schedule is not null && !IsCron(schedule))
            {
                throw _doc.Error(schedulePath, $"\"{schedule}\" is not a cron schedule (five fields like \"0 9 * * mon-fri\", or a macro like @daily)");
            }

            TimeSpan? duration = null;
            if (durationText is not null)
            {
                duration = KubeDuration.TryParseBudget(durationText, out var d)
                    ? d
                    : throw _doc.Error(durationPath, $"\"{durationText}\" is not a duration in hours and minutes (like 1h, 30m or 1h30m)");
            }

            var reasonsPath = YamlFields.Join(itemPath, "reasons");
            IReadOnlyList<string>? reasons = null;
            if (!YamlFields.IsNull(Get(map, "reasons")))
            {
                var list = StringList(Get(map, "reasons"), reasonsPath);
                for (var r = 0; r < list.Count; r++)
                {
                    if (!BudgetReasons.Contains(list[r]))
                    {
                        throw _doc.Error(YamlFields.Index(reasonsPath, r), $"unknown reason \"{list[r]}\"; expected one of Underutilized, Empty, Drifted");
                    }
                }

                reasons = list;
            }

            budgets.Add(new DisruptionBudget(nodes, schedule, duration, reasons));
        }

        return budgets;
    }

    private static bool IsCron(string schedule) =>
        CronMacros.Contains(schedule) ||
        schedule.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length == 5;

    private TimeSpan? Duration(YamlNode? node, string path)
    {
        var text = Str(node, path);
        if (text is null)
        {
            return null;
        }

        return KubeDuration.TryParse(text, out var value)
            ? value
            : throw _doc.Error(path, $"\"{text}\" is not a duration (like 30s, 5m or 1h30m)");
    }

    private TimeSpan? DurationOrNever(YamlNode? node, string path, TimeSpan fallback)
    {
        var text = Str(node, path);
        if (text is null)
        {
            return fallback;
        }

        if (text == "Never")
        {
            return null;
        }

        return KubeDuration.TryParse(text, out var value)
            ? value
            : throw _doc.Error(path, $"\"{text}\" is not a duration (like 30s, 5m or 1h30m) or Never");
    }

    private string Required(YamlMappingNode map, string key, string path)
    {
        var field = YamlFields.Join(path, key);
        var value = Str(Get(map, key), field);
        return string.IsNullOrEmpty(value) ? throw _doc.Error(field, "required") : value;
    }

    private static YamlNode? Get(YamlMappingNode? map, string key) => YamlFields.Get(map, key);

    private YamlMappingNode? Map(YamlNode? node, string path) =>
        YamlFields.IsNull(node) ? null
        : node as YamlMappingNode ?? throw _doc.Error(path, $"line {node!.Start.Line}: expected a mapping, found {YamlManifestReader.Describe(node)}");

    private YamlSequenceNode? Seq(YamlNode? node, string path) =>
        YamlFields.IsNull(node) ? null
        : node as YamlSequenceNode ?? throw _doc.Error(path, $"line {node!.Start.Line}: expected a list, found {YamlManifestReader.Describe(node)}");

    private string? Str(YamlNode? node, string path) =>
        YamlFields.IsNull(node) ? null
        : node is YamlScalarNode s ? s.Value ?? ""
        : throw _doc.Error(path, $"line {node!.Start.Line}: expected a single value, found {YamlManifestReader.Describe(node)}");

    private int? Int(YamlNode? node, string path)
    {
        var text = Str(node, path);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw _doc.Error(path, $"line {node!.Start.Line}: expected an integer, found \"{text}\"");
    }

    private List<string> StringList(YamlNode? node, string path)
    {
        var items = Seq(node, path);
        var result = new List<string>(items?.Children.Count ?? 0);
        for (var i = 0; i < (items?.Children.Count ?? 0); i++)
        {
            var itemPath = YamlFields.Index(path, i);
            result.Add(Str(items!.Children[i], itemPath) ?? throw _doc.Error(itemPath, "must not be null"));
        }

        return result;
    }

    private Dictionary<string, string> StringMap(YamlNode? node, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Map(node, path) is not { } map)
        {
            return result;
        }

        foreach (var (k, v) in YamlFields.Entries(map))
        {
            var key = KeyOf(k, path);
            result[key] = Str(v, YamlFields.Join(path, key)) ?? "";
        }

        return result;
    }

    private string KeyOf(YamlNode key, string path) =>
        key is YamlScalarNode { Value: { Length: > 0 } text } ? text : throw _doc.Error(path, $"line {key.Start.Line}: keys must be non-empty strings");

    /// <summary>Unknown fields are ignored with a warning, like kubectl's field validation.</summary>
    private void KnownFields(YamlMappingNode? map, string path, params string[] known)
    {
        if (map is null)
        {
            return;
        }

        foreach (var (k, _) in YamlFields.Entries(map))
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (Array.IndexOf(known, key) < 0)
            {
                Warn(YamlFields.Join(path, key), $"unknown field \"{key}\" ignored");
            }
        }
    }

    private void Warn(string field, string problem) => _warnings?.WriteLine($"{_doc.Describe()}: {field}: {problem}");

    [GeneratedRegex(@"^[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex NonNegativeInteger();

    [GeneratedRegex(@"^((100|[0-9]{1,2})%|[0-9]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex BudgetNodes();
}

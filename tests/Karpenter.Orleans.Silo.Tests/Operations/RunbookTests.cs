using System.Text.RegularExpressions;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>docs/runbooks and docs/operations.md: the sections an on-call engineer needs, tied to the alerts.</summary>
public sealed partial class RunbookTests
{
    private static readonly string[] Sections = ["Symptoms", "Confirm", "Causes", "Fix", "Verify"];

    public static TheoryData<string> RequiredRunbooks => new()
    {
        "cloud-permission-denied.md",
        "node-never-ready.md",
        "mass-spot-preemption.md",
        "pods-pending-despite-capacity.md",
        "reconcile-lag.md",
        "cost-spike.md",
    };

    public static TheoryData<string> AllRunbooks
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var path in Directory.GetFiles(OpsFiles.PathOf("docs/runbooks"), "*.md").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(path));
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RequiredRunbooks))]
    public void Required_runbook_exists(string file)
    {
        Assert.True(File.Exists(OpsFiles.PathOf("docs/runbooks/" + file)), $"docs/runbooks/{file} is missing");
    }

    [Theory]
    [MemberData(nameof(AllRunbooks))]
    public void Runbook_has_every_section_in_order(string file)
    {
        var headings = Heading().Matches(OpsFiles.Read("docs/runbooks/" + file)).Select(match => match.Groups["title"].Value).ToList();

        var positions = Sections.Select(section => headings.FindIndex(heading => heading.StartsWith(section, StringComparison.OrdinalIgnoreCase))).ToList();
        var missing = Sections.Where((_, i) => positions[i] < 0).ToList();
        Assert.True(missing.Count == 0, $"{file}: missing sections {string.Join(", ", missing)} (has: {string.Join(" | ", headings)})");
        Assert.True(positions.SequenceEqual(positions.Order()), $"{file}: sections should come in the order {string.Join(", ", Sections)}");
    }

    [Theory]
    [MemberData(nameof(AllRunbooks))]
    public void Runbook_confirms_with_karpo_commands_and_names_only_known_metrics(string file)
    {
        var text = OpsFiles.Read("docs/runbooks/" + file);

        var confirm = SectionText(text, "Confirm");
        Assert.Matches(@"(?m)(?:`|^[ \t]*)karpo (?:clusters|pending|nodeclaims|capacity|cost)\b", confirm);
        var unknown = MetricLike().Matches(text).Select(match => match.Value).Distinct()
            .Where(name => !KnownMetrics.IsKnown(name, PrometheusRules.RecordingRuleNames)).ToList();
        Assert.True(unknown.Count == 0, $"{file}: unknown metrics {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Every_alert_is_named_in_the_symptoms_of_its_runbook()
    {
        var problems = new List<string>();
        foreach (var alert in PrometheusRules.Alerts)
        {
            var file = PrometheusRulesTests.RunbookFile(alert);
            var path = file is null ? null : OpsFiles.PathOf("docs/runbooks/" + file);
            if (path is null || !File.Exists(path))
            {
                continue; // reported by PrometheusRulesTests
            }

            if (!SectionText(File.ReadAllText(path), "Symptoms").Contains(alert.Alert!, StringComparison.Ordinal))
            {
                problems.Add($"{alert.Alert}: not named under Symptoms in docs/runbooks/{file}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Operations_guide_links_every_runbook_and_names_only_known_metrics()
    {
        var text = OpsFiles.Read("docs/operations.md");

        foreach (var file in Directory.GetFiles(OpsFiles.PathOf("docs/runbooks"), "*.md").Select(Path.GetFileName))
        {
            Assert.Contains($"(runbooks/{file})", text, StringComparison.Ordinal);
        }

        var unknown = MetricLike().Matches(text).Select(match => match.Value).Distinct()
            .Where(name => !KnownMetrics.IsKnown(name, PrometheusRules.RecordingRuleNames)).ToList();
        Assert.True(unknown.Count == 0, $"docs/operations.md: unknown metrics {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Operations_guide_names_every_alert()
    {
        var text = OpsFiles.Read("docs/operations.md");

        var missing = PrometheusRules.Alerts.Select(alert => alert.Alert!).Where(name => !text.Contains(name, StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "docs/operations.md does not mention: " + string.Join(", ", missing));
    }

    /// <summary>The text under the first heading that starts with <paramref name="section"/>, up to the next heading of the same or a higher level.</summary>
    private static string SectionText(string markdown, string section)
    {
        var headings = Heading().Matches(markdown).ToList();
        var start = headings.FindIndex(heading => heading.Groups["title"].Value.StartsWith(section, StringComparison.OrdinalIgnoreCase));
        if (start < 0)
        {
            return string.Empty;
        }

        var level = headings[start].Groups["level"].Value.Length;
        var end = headings.Skip(start + 1).FirstOrDefault(heading => heading.Groups["level"].Value.Length <= level);
        var from = headings[start].Index + headings[start].Length;
        return markdown[from..(end?.Index ?? markdown.Length)];
    }

    [GeneratedRegex(@"(?m)^(?<level>#{2,3})\s+(?<title>.+?)\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"(?<![A-Za-z0-9_:/.-])(?:karpenter_[a-z0-9_]+|karpo_[a-z0-9_]+|karpo:[a-z0-9_]+:[a-z0-9_]+)")]
    private static partial Regex MetricLike();
}

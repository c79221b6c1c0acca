using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.EC2;
using Amazon.SQS;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>
/// deploy/aws/iam-policy.json names exactly the actions the provider's code calls (read from its source:
/// every EC2 and SQS request it makes), plus what EC2 checks besides for a call it makes; so a new call
/// cannot ship without its permission, and the policy grants nothing the provider does not use.
/// </summary>
public sealed partial class IamPolicyTests
{
    /// <summary>Permissions EC2 checks for a call on top of the call's own action.</summary>
    private static readonly Dictionary<string, string[]> Implied = new(StringComparer.Ordinal)
    {
        // CreateFleet launches through RunInstances, tags what it creates, and hands the node role to the instances.
        ["ec2:CreateFleet"] = ["ec2:RunInstances", "ec2:CreateTags", "iam:PassRole"],
        ["ec2:RunInstances"] = ["ec2:CreateTags", "iam:PassRole"],
        // Tag specifications on a new template are checked as CreateTags.
        ["ec2:CreateLaunchTemplate"] = ["ec2:CreateTags"],
    };

    [Fact]
    public void The_policy_names_exactly_the_actions_the_provider_calls()
    {
        var called = CalledActions();
        var expected = called.Concat(called.SelectMany(a => Implied.GetValueOrDefault(a, []))).ToHashSet(StringComparer.Ordinal);
        var granted = Statements().SelectMany(s => Strings(s, "Action")).ToHashSet(StringComparer.Ordinal);

        var missing = expected.Except(granted).Order(StringComparer.Ordinal).ToList();
        var unused = granted.Except(expected).Order(StringComparer.Ordinal).ToList();

        Assert.Contains("sqs:ReceiveMessage", called);
        Assert.True(missing.Count == 0, $"the provider calls these, deploy/aws/iam-policy.json does not grant them: {string.Join(", ", missing)}");
        Assert.True(unused.Count == 0, $"deploy/aws/iam-policy.json grants these, the provider never calls them: {string.Join(", ", unused)}");
    }

    [Fact]
    public void Nothing_is_granted_by_wildcard_and_every_allow_is_an_allow()
    {
        foreach (var statement in Statements())
        {
            Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
            Assert.All(Strings(statement, "Action"), a => Assert.DoesNotContain("*", a, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Instances_are_terminated_only_when_the_provider_tagged_them()
    {
        var terminate = Statements().Where(s => Strings(s, "Action").Contains("ec2:TerminateInstances")).ToList();

        Assert.NotEmpty(terminate);
        Assert.All(terminate, s =>
        {
            var like = s.GetProperty("Condition").GetProperty("StringLike");
            Assert.True(like.TryGetProperty("aws:ResourceTag/karpenter.sh/nodepool", out _), "TerminateInstances without a karpenter.sh/nodepool tag condition");
        });
    }

    [Fact]
    public void Instances_are_launched_only_with_their_NodePool_tag()
    {
        var launchesInstances = Statements().Where(s =>
            Strings(s, "Action").Contains("ec2:CreateFleet") && Strings(s, "Resource").Any(r => r.EndsWith(":instance/*", StringComparison.Ordinal))).ToList();

        var statement = Assert.Single(launchesInstances);
        Assert.True(statement.GetProperty("Condition").GetProperty("StringLike").TryGetProperty("aws:RequestTag/karpenter.sh/nodepool", out _));
    }

    /// <summary>"ec2:X" / "sqs:X" for each request type of AWSSDK.EC2 / AWSSDK.SQS the provider's source makes, or whose client method it calls.</summary>
    private static HashSet<string> CalledActions()
    {
        var services = new (string Prefix, Type Client, Type RequestBase)[]
        {
            ("ec2", typeof(IAmazonEC2), typeof(AmazonEC2Request)),
            ("sqs", typeof(IAmazonSQS), typeof(AmazonSQSRequest)),
        };
        var actions = new HashSet<string>(StringComparer.Ordinal);
        var sources = Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src", "Karpenter.Orleans.CloudProviders.Aws"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var file in sources)
        {
            var text = File.ReadAllText(file);
            var names = NewRequest().Matches(text).Select(m => m.Groups[1].Value)
                .Concat(AsyncCall().Matches(text).Select(m => m.Groups[1].Value));
            foreach (var name in names)
            {
                foreach (var (prefix, client, requestBase) in services)
                {
                    var request = requestBase.Assembly.GetType($"{requestBase.Namespace}.Model.{name}Request");
                    var isOperation = client.GetMethods().Any(m => m.Name == name + "Async")
                        && (request is null || requestBase.IsAssignableFrom(request));
                    if (isOperation)
                    {
                        actions.Add($"{prefix}:{name}");
                    }
                }
            }
        }

        return actions;
    }

    private static List<JsonElement> Statements()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "aws", "iam-policy.json")));
        return [.. document.RootElement.GetProperty("Statement").EnumerateArray().Select(s => s.Clone())];
    }

    private static IEnumerable<string> Strings(JsonElement statement, string property) =>
        statement.GetProperty(property) is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Select(a => a.GetString()!)
            : [statement.GetProperty(property).GetString()!];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "deploy", "aws", "iam-policy.json")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no deploy/aws/iam-policy.json above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"\bnew\s+(\w+)Request\b")]
    private static partial Regex NewRequest();

    [GeneratedRegex(@"\.(\w+)Async\(")]
    private static partial Regex AsyncCall();
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>
/// Puts EC2's own failures into real SDK calls, in the SDK's HTTP layer: error responses for chosen
/// actions (a 503 <c>RequestLimitExceeded</c>, a 403 <c>UnauthorizedOperation</c>), and insufficient
/// capacity for chosen (type, zone) offerings the way a real CreateFleet reports it: the overrides it
/// cannot fill come back in <c>errorSet</c>, and it still launches from the others (moto never reports
/// errors, so the injector takes those overrides out of the request moto sees and adds their errors).
/// It also holds CreateFleet to EC2's tag limits, which moto does not check (a key of at most 128 characters,
/// a value of at most 256, 50 tags per resource), and can lose a response after the call reached the server,
/// as a connection reset does, to stand for a crash between the call and its result being recorded.
/// </summary>
public sealed partial class Ec2FaultInjector
{
    private static readonly XNamespace Ec2 = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private readonly ConcurrentQueue<string> _actions = new();
    private readonly ConcurrentDictionary<(string Type, string Zone), string> _insufficient = new();
    private readonly ConcurrentDictionary<string, (HttpStatusCode Status, string Code, int Times)> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _lost = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Ec2CreateFleetCall> _fleets = new();
    private (HttpStatusCode Status, string Code)? _all;

    /// <summary>Describe calls answered in pages (<see cref="Ec2Pages.Paginate"/>).</summary>
    public Ec2Pages Pages { get; } = new();

    /// <summary>The Action of every EC2 call made, in order.</summary>
    public IReadOnlyList<string> Actions => [.. _actions];

    public int Calls(string action) => _actions.Count(a => a == action);

    /// <summary>Every CreateFleet request, in order, as it came from the SDK (before any fault changed it).</summary>
    public IReadOnlyList<Ec2CreateFleetCall> CreateFleets => [.. _fleets];

    /// <summary>The next <paramref name="times"/> calls of <paramref name="action"/> reach the server, which acts on them, but their response never arrives.</summary>
    public void LoseResponse(string action, int times = 1) => _lost[action] = times;

    /// <summary>No more injected errors, lost responses or missing capacity; the calls seen are kept.</summary>
    public void Clear()
    {
        _insufficient.Clear();
        _errors.Clear();
        _lost.Clear();
        _all = null;
    }

    public DelegatingHandler CreateHandler() => new Handler(this);

    /// <summary>CreateFleet reports <paramref name="code"/> for every override of this type and zone.</summary>
    public void InsufficientCapacity(string instanceType, string zone, string code = "InsufficientInstanceCapacity") =>
        _insufficient[(instanceType, zone)] = code;

    /// <summary>The next <paramref name="times"/> calls of <paramref name="action"/> fail with EC2's error; then calls pass again.</summary>
    public void Fail(string action, HttpStatusCode status, string code, int times = int.MaxValue) => _errors[action] = (status, code, times);

    /// <summary>Every call fails with EC2's error, as when the role lacks every permission.</summary>
    public void FailAll(HttpStatusCode status, string code) => _all = (status, code);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> next, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var form = ParseForm(body);
        var action = form.FirstOrDefault(p => p.Key == "Action").Value ?? "";
        _actions.Enqueue(action);

        if (_all is { } all)
        {
            return Error(all.Status, all.Code);
        }

        if (_errors.TryGetValue(action, out var error) && error.Times > 0)
        {
            _errors[action] = error with { Times = error.Times - 1 };
            return Error(error.Status, error.Code);
        }

        if (action == "CreateFleet")
        {
            var call = Fleet(form);
            _fleets.Enqueue(call);
            if (TagLimitBroken(form) is { } broken)
            {
                return Error(HttpStatusCode.BadRequest, broken.Code, broken.Message);
            }
        }

        HttpResponseMessage response;
        if (action == "CreateFleet" && !_insufficient.IsEmpty)
        {
            response = await CreateFleetAsync(request, form, next, cancellationToken);
        }
        else
        {
            if (request.Content is not null)
            {
                // The body was read above; give the server a fresh copy.
                request.Content = Content(body);
            }

            response = await Pages.SendAsync(action, form, () => next(request, cancellationToken), cancellationToken);
        }

        if (_lost.TryGetValue(action, out var lost) && lost > 0)
        {
            _lost[action] = lost - 1;

            // The server has acted; the caller only learns that the connection went away.
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            response.Dispose();
            throw new HttpRequestException($"injected: the connection was reset before the {action} response arrived");
        }

        return response;
    }

    private static Ec2CreateFleetCall Fleet(List<KeyValuePair<string, string>> form)
    {
        var overrides = new SortedDictionary<(int Config, int Override), Dictionary<string, string>>();
        foreach (var pair in form)
        {
            var match = OverrideKey().Match(pair.Key);
            if (match.Success)
            {
                var key = (Index(match.Groups[1].Value), Index(match.Groups[2].Value));
                if (!overrides.TryGetValue(key, out var fields))
                {
                    overrides[key] = fields = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                fields[match.Groups[3].Value] = pair.Value;
            }
        }

        var instanceTags = TagSpecifications(form).FirstOrDefault(t => t.ResourceType == "instance").Tags ?? [];
        return new Ec2CreateFleetCall(
            form.FirstOrDefault(p => p.Key == "TargetCapacitySpecification.DefaultTargetCapacityType").Value ?? "",
            [.. overrides.OrderBy(o => double.Parse(o.Value.GetValueOrDefault("Priority", "0"), System.Globalization.CultureInfo.InvariantCulture)).ThenBy(o => o.Key)
                .Select(o => (o.Value.GetValueOrDefault("InstanceType", ""), o.Value.GetValueOrDefault("AvailabilityZone", "")))],
            instanceTags);
    }

    /// <summary>Each TagSpecification of the request: its resource type and its tags.</summary>
    private static List<(string ResourceType, Dictionary<string, string> Tags)> TagSpecifications(List<KeyValuePair<string, string>> form)
    {
        var specs = new SortedDictionary<int, (string Type, SortedDictionary<int, (string? Key, string? Value)> Tags)>();
        foreach (var pair in form)
        {
            var match = TagKey().Match(pair.Key);
            if (!match.Success)
            {
                continue;
            }

            var spec = Index(match.Groups[1].Value);
            if (!specs.TryGetValue(spec, out var entry))
            {
                specs[spec] = entry = ("", new SortedDictionary<int, (string? Key, string? Value)>());
            }

            if (match.Groups[2].Value == "ResourceType")
            {
                specs[spec] = entry with { Type = pair.Value };
                continue;
            }

            var tag = Index(match.Groups[3].Value);
            var current = entry.Tags.GetValueOrDefault(tag);
            entry.Tags[tag] = match.Groups[4].Value == "Key" ? current with { Key = pair.Value } : current with { Value = pair.Value };
        }

        return [.. specs.Values.Select(s => (s.Type, s.Tags.Values.Where(t => t.Key is not null).ToDictionary(t => t.Key!, t => t.Value ?? "", StringComparer.Ordinal)))];
    }

    /// <summary>EC2's answer to tags it does not take, or null when every TagSpecification is within its limits.</summary>
    private static (string Code, string Message)? TagLimitBroken(List<KeyValuePair<string, string>> form)
    {
        foreach (var (type, tags) in TagSpecifications(form))
        {
            if (tags.Keys.FirstOrDefault(k => k.Length > 128) is { } key)
            {
                return ("InvalidParameterValue", $"Tag key exceeds the maximum length of 128 characters: {key}");
            }

            if (tags.FirstOrDefault(t => t.Value.Length > 256) is { Key: not null } value)
            {
                return ("InvalidParameterValue", $"Tag value exceeds the maximum length of 256 characters (tag {value.Key})");
            }

            if (tags.Keys.Count(k => !k.StartsWith("aws:", StringComparison.Ordinal)) > 50)
            {
                return ("TagLimitExceeded", $"The maximum number of Tags for a resource has been reached ({type}).");
            }
        }

        return null;
    }

    private static int Index(string text) => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private async Task<HttpResponseMessage> CreateFleetAsync(HttpRequestMessage request, List<KeyValuePair<string, string>> form, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> next, CancellationToken cancellationToken)
    {
        // Group the overrides by (config, override) index, keep those with capacity, renumber them densely.
        var overrides = new SortedDictionary<(int Config, int Override), Dictionary<string, string>>();
        var templates = new Dictionary<int, string>();
        var rest = new List<KeyValuePair<string, string>>();
        foreach (var pair in form)
        {
            var match = OverrideKey().Match(pair.Key);
            if (match.Success)
            {
                var key = (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
                if (!overrides.TryGetValue(key, out var fields))
                {
                    overrides[key] = fields = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                fields[match.Groups[3].Value] = pair.Value;
                continue;
            }

            var template = TemplateKey().Match(pair.Key);
            if (template.Success)
            {
                templates[int.Parse(template.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = pair.Value;
            }

            rest.Add(pair);
        }

        var lifecycle = form.FirstOrDefault(p => p.Key == "TargetCapacitySpecification.DefaultTargetCapacityType").Value ?? "on-demand";
        var failed = new List<(string Template, Dictionary<string, string> Fields, string Code)>();
        var kept = new List<((int Config, int Override) Key, Dictionary<string, string> Fields)>();
        foreach (var (key, fields) in overrides)
        {
            if (_insufficient.TryGetValue((fields.GetValueOrDefault("InstanceType", ""), fields.GetValueOrDefault("AvailabilityZone", "")), out var code))
            {
                failed.Add((templates.GetValueOrDefault(key.Config, ""), fields, code));
            }
            else
            {
                kept.Add((key, fields));
            }
        }

        XDocument response;
        if (kept.Count == 0)
        {
            response = new XDocument(new XElement(Ec2 + "CreateFleetResponse",
                new XElement(Ec2 + "requestId", Guid.NewGuid().ToString()),
                new XElement(Ec2 + "fleetId", "fleet-" + Guid.NewGuid().ToString()),
                new XElement(Ec2 + "fleetInstanceSet")));
        }
        else
        {
            var rewritten = rest.Where(p => !ConfigKey().IsMatch(p.Key)).ToList();
            var configs = kept.Select(k => k.Key.Config).Distinct().Order().ToList();
            for (var c = 0; c < configs.Count; c++)
            {
                foreach (var pair in rest.Where(p => ConfigKey().Match(p.Key) is { Success: true } m && m.Groups[1].Value == configs[c].ToString(System.Globalization.CultureInfo.InvariantCulture)))
                {
                    rewritten.Add(new(ConfigKey().Replace(pair.Key, $"LaunchTemplateConfigs.{c + 1}.", 1), pair.Value));
                }

                var inConfig = kept.Where(k => k.Key.Config == configs[c]).ToList();
                for (var o = 0; o < inConfig.Count; o++)
                {
                    foreach (var (field, value) in inConfig[o].Fields)
                    {
                        rewritten.Add(new($"LaunchTemplateConfigs.{c + 1}.Overrides.{o + 1}.{field}", value));
                    }
                }
            }

            request.Content = Content(string.Join("&", rewritten.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
            using var passed = await next(request, cancellationToken);
            var text = await passed.Content.ReadAsStringAsync(cancellationToken);
            if (!passed.IsSuccessStatusCode)
            {
                return new HttpResponseMessage(passed.StatusCode) { Content = new StringContent(text, Encoding.UTF8, "text/xml") };
            }

            response = XDocument.Parse(text);
        }

        var root = response.Root!;
        var ns = root.Name.Namespace;
        var errorSet = root.Element(ns + "errorSet");
        if (errorSet is null)
        {
            errorSet = new XElement(ns + "errorSet");
            root.Add(errorSet);
        }

        foreach (var (template, fields, code) in failed)
        {
            errorSet.Add(new XElement(ns + "item",
                new XElement(ns + "launchTemplateAndOverrides",
                    new XElement(ns + "launchTemplateSpecification",
                        new XElement(ns + "launchTemplateName", template),
                        new XElement(ns + "version", "$Latest")),
                    new XElement(ns + "overrides",
                        new XElement(ns + "instanceType", fields.GetValueOrDefault("InstanceType", "")),
                        new XElement(ns + "subnetId", fields.GetValueOrDefault("SubnetId", "")),
                        new XElement(ns + "availabilityZone", fields.GetValueOrDefault("AvailabilityZone", "")))),
                new XElement(ns + "lifecycle", lifecycle),
                new XElement(ns + "errorCode", code),
                new XElement(ns + "errorMessage", $"We currently do not have sufficient {fields.GetValueOrDefault("InstanceType", "")} capacity in the Availability Zone you requested ({fields.GetValueOrDefault("AvailabilityZone", "")}).")));
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(response.ToString(SaveOptions.DisableFormatting), Encoding.UTF8, "text/xml") };
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string? text = null)
    {
        var message = text ?? code switch
        {
            "RequestLimitExceeded" => "Request limit exceeded.",
            "UnauthorizedOperation" => "You are not authorized to perform this operation.",
            _ => code,
        };
        message = System.Security.SecurityElement.Escape(message);
        var xml = $"""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>""";
        return new HttpResponseMessage(status) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") };
    }

    private static StringContent Content(string body) => new(body, Encoding.UTF8, "application/x-www-form-urlencoded");

    private static List<KeyValuePair<string, string>> ParseForm(string body) =>
        [.. body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var i = p.IndexOf('=', StringComparison.Ordinal);
            return i < 0
                ? new KeyValuePair<string, string>(Uri.UnescapeDataString(p), "")
                : new KeyValuePair<string, string>(Uri.UnescapeDataString(p[..i].Replace('+', ' ')), Uri.UnescapeDataString(p[(i + 1)..].Replace('+', ' ')));
        })];

    [GeneratedRegex(@"^LaunchTemplateConfigs\.(\d+)\.Overrides\.(\d+)\.(.+)$")]
    private static partial Regex OverrideKey();

    [GeneratedRegex(@"^TagSpecification\.(\d+)\.(ResourceType|Tag\.(\d+)\.(Key|Value))$")]
    private static partial Regex TagKey();

    [GeneratedRegex(@"^LaunchTemplateConfigs\.(\d+)\.LaunchTemplateSpecification\.LaunchTemplateName$")]
    private static partial Regex TemplateKey();

    [GeneratedRegex(@"^LaunchTemplateConfigs\.(\d+)\.")]
    private static partial Regex ConfigKey();

    private sealed class Handler(Ec2FaultInjector injector) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            injector.SendAsync(request, base.SendAsync, cancellationToken);
    }
}

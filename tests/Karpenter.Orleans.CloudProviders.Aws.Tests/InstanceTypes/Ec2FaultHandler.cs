using System.Net;
using System.Text;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.InstanceTypes;

/// <summary>
/// Counts EC2 actions and, while <see cref="FailWith"/> is set, answers every call with that EC2 error. The
/// SDK makes an HTTP client per request here, so <see cref="Handler"/> makes a fresh handler over this state.
/// </summary>
internal sealed class Ec2FaultHandler
{
    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>An EC2 error code and its HTTP status, or null to pass calls through.</summary>
    public (string Code, HttpStatusCode Status)? FailWith { get; set; }

    /// <summary>Describe calls answered in pages (<see cref="Ec2Pages.Paginate"/>).</summary>
    public Ec2Pages Pages { get; } = new();

    /// <summary>Lets the test hold every DescribeInstanceTypes call until it is released.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int Calls(string action)
    {
        lock (_lock)
        {
            return _calls.GetValueOrDefault(action);
        }
    }

    public DelegatingHandler Handler() => new Pass(this);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var action = body.Split('&').FirstOrDefault(p => p.StartsWith("Action=", StringComparison.Ordinal))?["Action=".Length..] ?? "";
        lock (_lock)
        {
            _calls[action] = _calls.GetValueOrDefault(action) + 1;
        }

        if (action == "DescribeInstanceTypes" && Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (FailWith is { } failure)
        {
            var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{failure.Code}</Code><Message>injected {failure.Code}</Message></Error></Errors><RequestID>test</RequestID></Response>";
            return new HttpResponseMessage(failure.Status) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") };
        }

        var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : ""))
            .ToList();
        return await Pages.SendAsync(action, form, send, cancellationToken);
    }

    private sealed class Pass(Ec2FaultHandler faults) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            faults.SendAsync(request, () => base.SendAsync(request, cancellationToken), cancellationToken);
    }
}

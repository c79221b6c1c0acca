using System.Globalization;
using System.Net;
using System.Security;
using System.Text;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests.InstanceTypes;

/// <summary>
/// Counts EC2 actions and keeps their requests; while <see cref="FailWith"/> is set, answers every call with that
/// EC2 error, and <see cref="Fail"/> fails the next calls of one action. <see cref="SpotPrices"/> answers
/// DescribeSpotPriceHistory with chosen records (moto answers a constant $0.00001 from 2006). The SDK makes an
/// HTTP client per request here, so <see cref="Handler"/> makes a fresh handler over this state.
/// </summary>
internal sealed class Ec2FaultHandler
{
    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IReadOnlyList<KeyValuePair<string, string>>>> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Code, HttpStatusCode Status, int Times)> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>An EC2 error code and its HTTP status, or null to pass calls through.</summary>
    public (string Code, HttpStatusCode Status)? FailWith { get; set; }

    /// <summary>The spot price records DescribeSpotPriceHistory answers with, or null for the server's.</summary>
    public IReadOnlyList<SpotPriceRecord>? SpotPrices { get; set; }

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

    /// <summary>The form parameters of every call of <paramref name="action"/>, in order.</summary>
    public IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> Requests(string action)
    {
        lock (_lock)
        {
            return [.. _requests.GetValueOrDefault(action) ?? []];
        }
    }

    /// <summary>The next <paramref name="times"/> calls of <paramref name="action"/> fail with EC2's error.</summary>
    public void Fail(string action, string code, HttpStatusCode status, int times)
    {
        lock (_lock)
        {
            _failures[action] = (code, status, times);
        }
    }

    public DelegatingHandler Handler() => new Pass(this);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : ""))
            .ToList();
        var action = form.FirstOrDefault(p => p.Key == "Action").Value ?? "";
        (string Code, HttpStatusCode Status)? once = null;
        lock (_lock)
        {
            _calls[action] = _calls.GetValueOrDefault(action) + 1;
            if (!_requests.TryGetValue(action, out var list))
            {
                _requests[action] = list = [];
            }

            list.Add(form);
            if (_failures.TryGetValue(action, out var f) && f.Times > 0)
            {
                _failures[action] = f with { Times = f.Times - 1 };
                once = (f.Code, f.Status);
            }
        }

        if (action == "DescribeInstanceTypes" && Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if ((once ?? FailWith) is { } failure)
        {
            var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{failure.Code}</Code><Message>injected {failure.Code}</Message></Error></Errors><RequestID>test</RequestID></Response>";
            return new HttpResponseMessage(failure.Status) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") };
        }

        if (action == "DescribeSpotPriceHistory" && SpotPrices is { } prices)
        {
            return await Pages.SendAsync(action, form, () => Task.FromResult(SpotPriceHistory(prices)), cancellationToken);
        }

        return await Pages.SendAsync(action, form, send, cancellationToken);
    }

    private static HttpResponseMessage SpotPriceHistory(IReadOnlyList<SpotPriceRecord> prices)
    {
        var items = new StringBuilder();
        foreach (var p in prices)
        {
            items.Append(CultureInfo.InvariantCulture,
                $"<item><instanceType>{SecurityElement.Escape(p.InstanceType)}</instanceType><productDescription>{SecurityElement.Escape(p.ProductDescription)}</productDescription><spotPrice>{SecurityElement.Escape(p.Price)}</spotPrice><timestamp>{p.At.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}</timestamp><availabilityZone>{SecurityElement.Escape(p.Zone)}</availabilityZone></item>");
        }

        var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeSpotPriceHistoryResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>test</requestId><spotPriceHistorySet>{items}</spotPriceHistorySet><nextToken/></DescribeSpotPriceHistoryResponse>";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") };
    }

    private sealed class Pass(Ec2FaultHandler faults) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            faults.SendAsync(request, () => base.SendAsync(request, cancellationToken), cancellationToken);
    }
}

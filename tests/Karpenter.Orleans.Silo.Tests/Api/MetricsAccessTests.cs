using System.Net;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>/metrics is open by default (Prometheus scrapes by annotation); Karpo:Api:MetricsRequireToken closes it to read and admin tokens.</summary>
public sealed class MetricsAccessTests
{
    [Fact]
    public async Task With_metrics_requiring_a_token_only_read_and_admin_tokens_get_them()
    {
        await using var silo = new ConfiguredSiloFactory(new Dictionary<string, string?>
        {
            ["Karpo:Api:MetricsRequireToken"] = "true",
            ["Karpo:Dashboard:Enabled"] = "false",
        });
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var agentToken = await admin.RegisterAsync("metrics-agent");

        Assert.Equal(HttpStatusCode.Unauthorized, (await silo.CreateClient(token: null).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await silo.CreateClient(agentToken).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await silo.CreateClient(KarpoSiloFactory.ReadToken).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await silo.CreateClient(token: null).GetAsync("/readyz")).StatusCode);
    }
}

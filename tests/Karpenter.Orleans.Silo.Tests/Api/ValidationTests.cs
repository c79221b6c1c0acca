using System.Net;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>Bad input is refused whole, with the field named, and leaves no trace.</summary>
[Collection(ApiCollection.Name)]
public sealed class ValidationTests(KarpoSiloFactory silo)
{
    [Theory]
    [InlineData("""{"clusterId":"val-bad-json","provider":"simulated","region":"us-east-1","account":"1",""", null)]
    [InlineData("""{"clusterId":"val-bad-json","provider":"simulated","region":"us-east-1","account":"1","spendCapPerHour":"lots"}""", "spendCapPerHour")]
    [InlineData("""{"clusterId":"val-bad-json","provider":42,"region":"us-east-1","account":"1"}""", "provider")]
    [InlineData("""{"clusterId":"Val_Bad_Json","provider":"simulated","region":"us-east-1","account":"1"}""", "clusterId")]
    [InlineData("""{"clusterId":"val-bad-json-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","provider":"simulated","region":"us-east-1","account":"1"}""", "clusterId")]
    [InlineData("""{"clusterId":"val-bad-json","region":"us-east-1","account":"1"}""", "provider")]
    [InlineData("""{"clusterId":"val-bad-json","provider":"simulated","account":"1"}""", "region")]
    [InlineData("""{"clusterId":"val-bad-json","provider":"simulated","region":"us-east-1"}""", "account")]
    [InlineData("""{"clusterId":"val-bad-json","provider":"simulated","region":"us-east-1","account":"1","spendCapPerHour":-0.5}""", "spendCapPerHour")]
    [InlineData("""[1,2,3]""", "body")]
    [InlineData("", "body")]
    public async Task Bad_registration_is_400_naming_the_field_and_registers_nothing(string body, string? field)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await admin.PostAsync("/api/v1/clusters", ApiJson.Raw(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadErrorAsync();
        Assert.False(string.IsNullOrWhiteSpace(error.Error));
        if (field is not null)
        {
            Assert.Equal(field, error.Field);
        }
        else
        {
            Assert.NotNull(error.Field);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/clusters/val-bad-json")).StatusCode);
    }

    [Theory]
    [InlineData("Bad_Id")]
    [InlineData("-leading-dash")]
    [InlineData("trailing-dash-")]
    public async Task Invalid_cluster_id_in_the_route_is_400(string clusterId)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await admin.GetAsync($"/api/v1/clusters/{clusterId}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("clusterId", (await response.ReadErrorAsync()).Field);
    }

    [Fact]
    public async Task Oversized_body_is_413_and_changes_nothing()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("val-big");
        using var agent = silo.CreateClient(token);

        // Deltas are held to the default 8 MiB; send a little more, every object valid.
        var pod = ApiJson.PendingPod("big");
        var deltas = Enumerable.Range(0, (8 * 1024 * 1024 / pod.Json.Length) + 10)
            .Select(i => new ObjectDelta(i + 1, DeltaType.Upsert, ObjectKind.Pod, "default", $"big-{i}", ApiJson.PendingPod($"big-{i}").Json))
            .ToArray();
        using var response = await agent.PostJsonAsync("/api/v1/clusters/val-big/deltas", new DeltaBatch("s-big", deltas));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body", (await response.ReadErrorAsync()).Field);
        var status = await (await admin.GetAsync("/api/v1/clusters/val-big")).ReadAsync<ClusterStatus>();
        Assert.Equal(0, status.Pods);
    }

    [Fact]
    public async Task A_snapshot_is_held_to_its_own_larger_limit()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync("val-big-snapshot");
        using var agent = silo.CreateClient(token);

        // A whole cluster is one body: over the 8 MiB every other request gets, under the 96 MiB of snapshots.
        var pod = ApiJson.PendingPod("big");
        var count = (8 * 1024 * 1024 / pod.Json.Length) + 10;
        var objects = Enumerable.Range(0, count).Select(i => ApiJson.PendingPod($"big-{i}")).ToArray();
        using var response = await agent.PutJsonAsync("/api/v1/clusters/val-big-snapshot/state", ApiJson.Snapshot(objects));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await (await admin.GetAsync("/api/v1/clusters/val-big-snapshot")).ReadAsync<ClusterStatus>();
        Assert.Equal(count, status.Pods);
    }

    [Fact]
    public async Task Oversized_body_without_a_length_is_413()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var content = new StreamContent(new MemoryStream(new byte[(8 * 1024 * 1024) + 1]));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/clusters") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData(1, """{"agentSession":"s-2","sequence":9,"objects":[{"kind":"pod","json":"{\"metadata\":{\"name\":\"x\"}}"},{"kind":"secret","json":"{}"}]}""", "objects[1].kind")]
    [InlineData(2, """{"agentSession":"s-2","sequence":9,"objects":[{"kind":"pod","json":"{\"metadata\":{\"name\":\"x\"}}"},{"kind":"pod"}]}""", "objects[1].json")]
    [InlineData(3, """{"agentSession":"s-2","sequence":9,"objects":[{"kind":"pod","json":"{not json"}]}""", "objects[0].json")]
    [InlineData(4, """{"agentSession":"s-2","sequence":9,"objects":[{"kind":7,"json":"{}"}]}""", "objects[0].kind")]
    [InlineData(5, """{"agentSession":"s-2","sequence":"nine","objects":[]}""", "sequence")]
    [InlineData(6, """{"sequence":9,"objects":[]}""", "agentSession")]
    [InlineData(7, """{"agentSession":"s-2","sequence":9}""", "objects")]
    public async Task Bad_snapshot_is_400_naming_the_field_and_changes_nothing(int n, string body, string field)
    {
        var clusterId = $"val-snap-{n}";
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        var token = await admin.RegisterAsync(clusterId);
        using var agent = silo.CreateClient(token);
        using (var good = await agent.PutJsonAsync($"/api/v1/clusters/{clusterId}/state", ApiJson.Snapshot(ApiJson.PendingPod("keep-0"))))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        }

        using var response = await agent.PutAsync($"/api/v1/clusters/{clusterId}/state", ApiJson.Raw(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadErrorAsync()).Field);
        var status = await (await admin.GetAsync($"/api/v1/clusters/{clusterId}")).ReadAsync<ClusterStatus>();
        Assert.Equal(1, status.Pods);
    }

    [Theory]
    [InlineData("""{"agentSession":"s","deltas":[{"sequence":1,"type":"upsert","kind":"pod","namespace":"default","name":"a"}]}""", "deltas[0].json")]
    [InlineData("""{"agentSession":"s","deltas":[{"sequence":1,"type":"replace","kind":"pod","name":"a","json":"{}"}]}""", "deltas[0].type")]
    [InlineData("""{"agentSession":"s","deltas":[{"sequence":1,"type":"delete","kind":"pod","namespace":"default"}]}""", "deltas[0].name")]
    [InlineData("""{"agentSession":"s","deltas":[{"sequence":1,"type":"delete","kind":"ingress","name":"a"}]}""", "deltas[0].kind")]
    public async Task Bad_delta_batch_is_400_naming_the_field(string body, string field)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        await admin.RegisterAsync("val-deltas");
        using var response = await admin.PostAsync("/api/v1/clusters/val-deltas/deltas", ApiJson.Raw(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.ReadErrorAsync()).Field);
    }

    [Fact]
    public async Task Non_json_content_type_is_415()
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await admin.PostAsync("/api/v1/clusters", new StringContent("clusterId=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"vcpus":-1}""")]
    [InlineData("""{"vcpus":"many"}""")]
    [InlineData("""{}""")]
    public async Task Bad_quota_is_400(string body)
    {
        using var admin = silo.CreateClient(KarpoSiloFactory.AdminToken);
        using var response = await admin.PutAsync("/api/v1/quotas/simulated/111122223333/us-east-1/standard", ApiJson.Raw(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("vcpus", (await response.ReadErrorAsync()).Field);
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Karpenter.Orleans.Abstractions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// A tiny in-process stand-in for the fleet API serving <see cref="FleetSamples"/>: the CLI's formatting, errors and
/// credential resolution are tested against it without a silo. It follows the API contract (camelCase JSON, enums as
/// camelCase strings, ApiError bodies, 401 without a good token, 403 for a token that may not read).
/// </summary>
internal sealed class FakeFleetServer : IAsyncDisposable
{
    public const string ReadToken = "read-token-s3cret";
    public const string NoReadToken = "agent-token-s3cret";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly WebApplication _app;

    private FakeFleetServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Every request seen: host it was addressed to, path with query, and Authorization header.</summary>
    public ConcurrentQueue<(string Host, string PathAndQuery, string? Authorization)> Requests { get; } = new();

    /// <summary>When set, every request gets this answer instead (5xx, HTML pages and other broken servers).</summary>
    public (int Status, string ContentType, string Body)? FailWith { get; set; }

    public static async Task<FakeFleetServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeFleetServer(app);
        server.Map();
        await app.StartAsync();
        return server;
    }

    public HttpMessageHandler CreateHandler() => _app.GetTestServer().CreateHandler();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map()
    {
        _app.Use(async (context, next) =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            Requests.Enqueue((context.Request.Host.Value ?? "", context.Request.Path + context.Request.QueryString, authorization.Length == 0 ? null : authorization));
            if (FailWith is { } fail)
            {
                context.Response.StatusCode = fail.Status;
                context.Response.ContentType = fail.ContentType;
                await context.Response.WriteAsync(fail.Body);
                return;
            }

            var result = authorization switch
            {
                "Bearer " + ReadToken => null,
                "Bearer " + NoReadToken => Results.Json(new ApiError("agent tokens may only sync their own cluster"), Json, statusCode: 403),
                _ => Results.Json(new ApiError("missing or unknown bearer token"), Json, statusCode: 401),
            };
            if (result is null)
            {
                await next(context);
            }
            else
            {
                await result.ExecuteAsync(context);
            }
        });

        _app.MapGet("/api/v1/clusters", () => Results.Json(FleetSamples.Clusters, Json));
        _app.MapGet("/api/v1/clusters/{id}", (string id) =>
            FleetSamples.Clusters.FirstOrDefault(c => c.ClusterId == id) is { } cluster ? Results.Json(cluster, Json) : UnknownCluster(id));
        _app.MapGet("/api/v1/capacity", (string? groupBy) => Capacity(groupBy ?? "cluster"));
        _app.MapGet("/api/v1/nodeclaims", (string? cluster) =>
            Filter(FleetSamples.NodeClaims, c => c.ClusterId, cluster));
        _app.MapGet("/api/v1/pending", (string? cluster) =>
            Filter(FleetSamples.Pending, p => p.ClusterId, cluster));
        _app.MapGet("/api/v1/cost", () => Results.Json(FleetSamples.Cost, Json));
    }

    private static IResult Filter<T>(T[] items, Func<T, string> clusterOf, string? cluster) =>
        cluster is null ? Results.Json(items, Json)
        : FleetSamples.Clusters.Any(c => c.ClusterId == cluster) ? Results.Json(items.Where(i => clusterOf(i) == cluster).ToArray(), Json)
        : UnknownCluster(cluster);

    private static IResult UnknownCluster(string id) =>
        Results.Json(new ApiError($"cluster '{id}' is not registered", "cluster"), Json, statusCode: 404);

    private static IResult Capacity(string groupBy)
    {
        var keys = groupBy.Split(',');
        string Value(string key, (string Cluster, string Region, CapacityItem Item) x) => key switch
        {
            "cluster" => x.Cluster,
            "region" => x.Region,
            "zone" => x.Item.Zone,
            "instanceType" => x.Item.InstanceType,
            "capacityType" => x.Item.CapacityType,
            "nodePool" => x.Item.NodePool,
            _ => throw new ArgumentException(key),
        };

        if (keys.FirstOrDefault(k => k is not ("cluster" or "region" or "zone" or "instanceType" or "capacityType" or "nodePool")) is { } bad)
        {
            return Results.Json(new ApiError($"unknown group key '{bad}'", "groupBy"), Json, statusCode: 400);
        }

        var rows = FleetSamples.Capacity
            .GroupBy(x => string.Join('|', keys.Select(k => Value(k, x))))
            .Select(g => new CapacityRow(
                keys.ToDictionary(k => k, k => Value(k, g.First())),
                g.Sum(x => x.Item.Count),
                g.Sum(x => x.Item.MilliCpu),
                g.Sum(x => x.Item.Memory),
                g.Sum(x => x.Item.PricePerHour)))
            .ToArray();
        return Results.Json(rows, Json);
    }
}

using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>Fleet-wide views (read) and the fleet's spend cap and account quotas (admin).</summary>
internal static class FleetEndpoints
{
    public static RouteGroupBuilder MapFleetEndpoints(this RouteGroupBuilder api)
    {
        var fleet = api.MapGroup(string.Empty).WithTags("Fleet");

        fleet.MapGet("/capacity", CapacityAsync).WithName("GetCapacity")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors(400);
        fleet.MapGet("/nodeclaims", NodeClaimsAsync).WithName("ListNodeClaims")
            .RequireAuthorization(KarpoPolicies.Read).WithMetadata(ScopedByClusterQuery.Instance).ProducesErrors(400, 404);
        fleet.MapGet("/pending", PendingAsync).WithName("ListPendingPods")
            .RequireAuthorization(KarpoPolicies.Read).WithMetadata(ScopedByClusterQuery.Instance).ProducesErrors(400, 404);
        fleet.MapGet("/cost", CostAsync).WithName("GetCost")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors();
        fleet.MapPut("/fleet/spend-cap", SetSpendCapAsync).WithName("SetFleetSpendCap")
            .RequireAuthorization(KarpoPolicies.Admin).AcceptsJson<SpendCapRequest>().ProducesErrors(400);
        fleet.MapPut("/quotas/{provider}/{account}/{region}/{quotaCode}", SetQuotaAsync).WithName("SetQuota")
            .RequireAuthorization(KarpoPolicies.Admin).AcceptsJson<QuotaLimitRequest>().ProducesErrors(400);
        return api;
    }

    private static IFleetGrain Fleet(IGrainFactory grains) => grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey);

    private static async Task<Ok<IReadOnlyList<CapacityRow>>> CapacityAsync(HttpRequest request, IGrainFactory grains)
    {
        var groupBy = CapacityGrouping.Parse(request.Query["groupBy"]);
        return TypedResults.Ok(await GrainValidation.CallAsync(() => Fleet(grains).GetCapacityAsync(groupBy)));
    }

    private static async Task<Ok<NodeClaimInfo[]>> NodeClaimsAsync([FromQuery(Name = ClusterAccessHandler.QueryKey)] string? cluster, HttpRequest request, IGrainFactory grains)
    {
        var page = ListPaging.Parse(request, "nodeclaims");
        var lists = await FleetFanOut.AskAsync(request.HttpContext, (await ClustersAsync(grains, cluster)).Select(c => c.GetPrimaryKeyString()),
            id => grains.GetGrain<IClusterGrain>(id).GetNodeClaimsForFleetAsync(), a => a.NodeClaims);
        return TypedResults.Ok(page.Page(request.HttpContext.Response, lists.SelectMany(l => l), c => [c.ClusterId, c.Name]));
    }

    private static async Task<Ok<FleetPendingPod[]>> PendingAsync([FromQuery(Name = ClusterAccessHandler.QueryKey)] string? cluster, HttpRequest request, IGrainFactory grains)
    {
        var page = ListPaging.Parse(request, "pending");
        var clusters = await ClustersAsync(grains, cluster);
        var lists = await FleetFanOut.AskAsync(request.HttpContext, clusters.Select(c => c.GetPrimaryKeyString()), async id =>
            (await grains.GetGrain<IClusterGrain>(id).GetPendingPodsAsync()).Select(p => new FleetPendingPod(id, p.Namespace, p.Name, p.Reason, p.PendingSince, p.NodeClaim)),
            a => a.PendingPods);
        return TypedResults.Ok(page.Page(
            request.HttpContext.Response,
            lists.SelectMany(l => l),
            p => [p.ClusterId, ListPaging.TimeKey(p.PendingSince), p.Namespace, p.Name]));
    }

    private static async Task<Ok<FleetCost>> CostAsync(IGrainFactory grains) => TypedResults.Ok(await Fleet(grains).GetCostAsync());

    private static async Task<NoContent> SetSpendCapAsync(HttpRequest request, JsonRequestReader reader, IGrainFactory grains)
    {
        var body = await reader.ReadAsync<SpendCapRequest>(request);
        var cap = RequestValidation.SpendCap(body.PricePerHour, "pricePerHour");
        await GrainValidation.CallAsync(() => Fleet(grains).SetSpendCapAsync(cap));
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> SetQuotaAsync(
        string provider, string account, string region, string quotaCode, HttpRequest request, JsonRequestReader reader, IGrainFactory grains)
    {
        RequestValidation.KeySegment(provider, "provider");
        RequestValidation.KeySegment(account, "account");
        RequestValidation.KeySegment(region, "region");
        RequestValidation.KeySegment(quotaCode, "quotaCode");
        await ProviderValidation.CheckAsync(request.HttpContext, provider, region);
        var body = await reader.ReadAsync<QuotaLimitRequest>(request);
        if (body.Vcpus is not { } vcpus || vcpus < 0)
        {
            throw ApiException.BadRequest("vcpus is required and must be ≥ 0", "vcpus");
        }

        await GrainValidation.CallAsync(() => grains.GetGrain<IQuotaGrain>($"{provider}/{account}/{region}").SetLimitAsync(quotaCode, vcpus));
        return TypedResults.NoContent();
    }

    /// <summary>One registered cluster when <paramref name="cluster"/> is given, else every registered cluster.</summary>
    private static async Task<IReadOnlyList<IClusterGrain>> ClustersAsync(IGrainFactory grains, string? cluster)
    {
        if (cluster is not null)
        {
            return [await ClusterEndpoints.RegisteredAsync(grains, cluster, ClusterAccessHandler.QueryKey)];
        }

        var registered = await Fleet(grains).GetClustersAsync();
        return [.. registered.Select(c => grains.GetGrain<IClusterGrain>(c.Registration.ClusterId))];
    }
}

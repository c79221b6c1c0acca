using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// <c>/api/v1/clusters</c>: registration (admin), an agent's state, deltas and command channel (that
/// cluster's agent or admin), NodeClaim deletion and disruptions (admin), and per-cluster views (read, or
/// the cluster's own agent), node classes with their status as the cluster's provider resolves them among them.
/// </summary>
internal static class ClusterEndpoints
{
    public static RouteGroupBuilder MapClusterEndpoints(this RouteGroupBuilder api)
    {
        var clusters = api.MapGroup("/clusters").WithTags("Clusters");

        clusters.MapPost(string.Empty, RegisterAsync).WithName("RegisterCluster")
            .RequireAuthorization(KarpoPolicies.Admin).AcceptsJson<ClusterRegistration>().ProducesErrors(400);
        clusters.MapGet(string.Empty, ListAsync).WithName("ListClusters")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors();
        clusters.MapGet("/{clusterId}", GetAsync).WithName("GetCluster")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors(400, 404);
        clusters.MapDelete("/{clusterId}", UnregisterAsync).WithName("UnregisterCluster")
            .RequireAuthorization(KarpoPolicies.Admin).ProducesErrors(400, 404);
        clusters.MapPut("/{clusterId}/spend-cap", SetSpendCapAsync).WithName("SetClusterSpendCap")
            .RequireAuthorization(KarpoPolicies.Admin).AcceptsJson<SpendCapRequest>().ProducesErrors(400, 404);
        clusters.MapPut("/{clusterId}/state", ResyncAsync).WithName("ResyncCluster")
            .RequireAuthorization(KarpoPolicies.ClusterWrite).AcceptsJson<ClusterSnapshot>().ProducesErrors(400, 404);
        clusters.MapPost("/{clusterId}/deltas", ApplyDeltasAsync).WithName("ApplyClusterDeltas")
            .RequireAuthorization(KarpoPolicies.ClusterWrite).AcceptsJson<DeltaBatch>().ProducesErrors(400, 404);
        clusters.MapGet("/{clusterId}/commands", CommandsAsync).WithName("GetClusterCommands")
            .RequireAuthorization(KarpoPolicies.ClusterWrite).ProducesErrors(400, 404);
        clusters.MapPost("/{clusterId}/commands/acks", AcknowledgeAsync).WithName("AcknowledgeClusterCommands")
            .RequireAuthorization(KarpoPolicies.ClusterWrite).AcceptsJson<CommandAck[]>().ProducesErrors(400, 404);
        clusters.MapDelete("/{clusterId}/nodeclaims/{nodeClaim}", DeleteNodeClaimAsync).WithName("DeleteClusterNodeClaim")
            .RequireAuthorization(KarpoPolicies.Admin).ProducesErrors(400, 404);
        clusters.MapPost("/{clusterId}/disruptions", DisruptAsync).WithName("DisruptClusterNodes")
            .RequireAuthorization(KarpoPolicies.Admin).AcceptsJson<DisruptionRequest>().ProducesErrors(400, 404);
        clusters.MapGet("/{clusterId}/disruptions", DisruptionsAsync).WithName("GetClusterDisruptions")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors(400, 404);
        clusters.MapGet("/{clusterId}/pending", PendingAsync).WithName("GetClusterPendingPods")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors(400, 404);
        clusters.MapGet("/{clusterId}/nodeclaims", NodeClaimsAsync).WithName("GetClusterNodeClaims")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors(400, 404);
        clusters.MapGet("/{clusterId}/nodepools", NodePoolsAsync).WithName("GetClusterNodePools")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors(400, 404);
        clusters.MapGet("/{clusterId}/nodeclasses", NodeClassesAsync).WithName("GetClusterNodeClasses")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors(400, 404);
        clusters.MapGet("/{clusterId}/nodeclasses/{name}", NodeClassAsync).WithName("GetClusterNodeClass")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors(400, 404);
        clusters.MapGet("/{clusterId}/disruption", DisruptionAsync).WithName("ExplainClusterDisruption")
            .RequireAuthorization(KarpoPolicies.Read).ProducesErrors(400, 404);
        return api;
    }

    /// <summary>The cluster's grain, after checking the id and that the cluster is registered (so reads never activate strangers).</summary>
    public static async Task<IClusterGrain> RegisteredAsync(IGrainFactory grains, string clusterId, string field = "clusterId")
    {
        RequestValidation.ClusterId(clusterId, field);
        var cluster = grains.GetGrain<IClusterGrain>(clusterId);
        return await cluster.GetRegistrationAsync() is null
            ? throw ApiException.NotFound($"cluster '{clusterId}' is not registered", field)
            : cluster;
    }

    private static async Task<Created<ClusterRegistrationResponse>> RegisterAsync(
        HttpRequest request, JsonRequestReader reader, IGrainFactory grains, AgentTokenCache agents)
    {
        var registration = await reader.ReadAsync<ClusterRegistration>(request);
        RequestValidation.Registration(registration);

        // The fleet stores the registration before the cluster grain checks the provider; an unknown one must stop here.
        await ProviderValidation.CheckAsync(request.HttpContext, registration.Provider, registration.Region);

        // The token is shown this once; the registry keeps only its digest.
        var token = AgentTokens.New(AgentTokens.AgentPrefix);
        var registered = await GrainValidation.CallAsync(() => grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey)
            .RegisterClusterAsync(registration, AgentTokens.Sha256Hex(token)));
        agents.Forget(registration.ClusterId);
        agents.ForgetMiss(token);
        return TypedResults.Created($"/api/v1/clusters/{registration.ClusterId}", new ClusterRegistrationResponse(registered.Registration, token));
    }

    private static async Task<Ok<ClusterStatus[]>> ListAsync(HttpRequest request, IGrainFactory grains)
    {
        var page = ListPaging.Parse(request, "clusters");
        var registered = await grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).GetClustersAsync();

        // Page the registrations first, so only this page's clusters are asked for their status.
        var ids = page.Page(request.HttpContext.Response, registered.Select(c => c.Registration.ClusterId), id => [id]);
        return TypedResults.Ok(await FleetFanOut.AskAsync(request.HttpContext, ids, id => grains.GetGrain<IClusterGrain>(id).GetStatusAsync(), a => a.Status));
    }

    private static async Task<Ok<ClusterStatus>> GetAsync(string clusterId, IGrainFactory grains) =>
        TypedResults.Ok(await (await RegisteredAsync(grains, clusterId)).GetStatusAsync());

    private static async Task<NoContent> UnregisterAsync(string clusterId, IGrainFactory grains, AgentTokenCache agents)
    {
        RequestValidation.ClusterId(clusterId);
        var removed = await grains.GetGrain<IFleetGrain>(IFleetGrain.FleetKey).UnregisterClusterAsync(clusterId);
        agents.Forget(clusterId);
        return removed ? TypedResults.NoContent() : throw ApiException.NotFound($"cluster '{clusterId}' is not registered", "clusterId");
    }

    private static async Task<NoContent> SetSpendCapAsync(string clusterId, HttpRequest request, JsonRequestReader reader, IGrainFactory grains)
    {
        RequestValidation.ClusterId(clusterId);
        var body = await reader.ReadAsync<SpendCapRequest>(request);
        var cap = RequestValidation.SpendCap(body.PricePerHour, "pricePerHour");
        var cluster = await RegisteredAsync(grains, clusterId);
        await GrainValidation.CallAsync(() => cluster.SetSpendCapAsync(cap));
        return TypedResults.NoContent();
    }

    private static async Task<Ok<SyncResult>> ResyncAsync(string clusterId, HttpRequest request, JsonRequestReader reader, IGrainFactory grains)
    {
        RequestValidation.ClusterId(clusterId);
        var snapshot = await reader.ReadAsync<ClusterSnapshot>(request);
        RequestValidation.Snapshot(snapshot);
        var cluster = await RegisteredAsync(grains, clusterId);
        return TypedResults.Ok(await GrainValidation.CallAsync(() => cluster.ResyncAsync(snapshot)));
    }

    private static async Task<Ok<SyncResult>> ApplyDeltasAsync(string clusterId, HttpRequest request, JsonRequestReader reader, IGrainFactory grains)
    {
        RequestValidation.ClusterId(clusterId);
        var batch = await reader.ReadAsync<DeltaBatch>(request);
        RequestValidation.Batch(batch);
        var cluster = await RegisteredAsync(grains, clusterId);
        return TypedResults.Ok(await GrainValidation.CallAsync(() => cluster.ApplyDeltasAsync(batch)));
    }

    private static async Task<Ok<IReadOnlyList<ClusterCommand>>> CommandsAsync(string clusterId, IGrainFactory grains) =>
        TypedResults.Ok(await (await RegisteredAsync(grains, clusterId)).GetCommandsAsync());

    private static async Task<Ok<CommandAckResult>> AcknowledgeAsync(string clusterId, HttpRequest request, JsonRequestReader reader, IGrainFactory grains)
    {
        RequestValidation.ClusterId(clusterId);
        var acks = await reader.ReadAsync<CommandAck[]>(request);
        RequestValidation.Acks(acks);
        var cluster = await RegisteredAsync(grains, clusterId);
        return TypedResults.Ok(await GrainValidation.CallAsync(() => cluster.AcknowledgeCommandsAsync(acks)));
    }

    private static async Task<Accepted<NodeClaimInfo>> DeleteNodeClaimAsync(string clusterId, string nodeClaim, IGrainFactory grains)
    {
        RequestValidation.ClusterId(clusterId);
        RequestValidation.NodeClaimName(nodeClaim, "nodeClaim");
        var cluster = await RegisteredAsync(grains, clusterId);
        var claim = await GrainValidation.CallAsync(() => cluster.DeleteNodeClaimAsync(nodeClaim, "deleted through the API"))
            ?? throw ApiException.NotFound($"cluster '{clusterId}' has no NodeClaim '{nodeClaim}'", "nodeClaim");
        return TypedResults.Accepted($"/api/v1/clusters/{clusterId}/nodeclaims", claim);
    }

    private static async Task<Accepted<DisruptionStatus>> DisruptAsync(string clusterId, HttpRequest request, JsonRequestReader reader, IGrainFactory grains)
    {
        RequestValidation.ClusterId(clusterId);
        var body = await reader.ReadAsync<DisruptionRequest>(request);
        RequestValidation.Disruption(body);
        var cluster = await RegisteredAsync(grains, clusterId);
        var status = await GrainValidation.CallAsync(() => cluster.DisruptAsync(body));
        return TypedResults.Accepted($"/api/v1/clusters/{clusterId}/disruptions", status);
    }

    private static async Task<Ok<IReadOnlyList<DisruptionStatus>>> DisruptionsAsync(string clusterId, IGrainFactory grains) =>
        TypedResults.Ok(await (await RegisteredAsync(grains, clusterId)).GetDisruptionsAsync());

    private static async Task<Ok<PendingPod[]>> PendingAsync(string clusterId, HttpRequest request, IGrainFactory grains)
    {
        var page = ListPaging.Parse(request, "cluster-pending");
        var pods = await (await RegisteredAsync(grains, clusterId)).GetPendingPodsAsync();
        return TypedResults.Ok(page.Page(request.HttpContext.Response, pods, p => [ListPaging.TimeKey(p.PendingSince), p.Namespace, p.Name]));
    }

    private static async Task<Ok<NodeClaimInfo[]>> NodeClaimsAsync(string clusterId, HttpRequest request, IGrainFactory grains)
    {
        var page = ListPaging.Parse(request, "cluster-nodeclaims");
        var claims = await (await RegisteredAsync(grains, clusterId)).GetNodeClaimsAsync();
        return TypedResults.Ok(page.Page(request.HttpContext.Response, claims, c => [ListPaging.TimeKey(c.CreatedAt), c.Name]));
    }

    /// <summary>Per node: what the disruption planner would do now, or what blocks it.</summary>
    private static async Task<Ok<DisruptionExplanation>> DisruptionAsync(string clusterId, IGrainFactory grains) =>
        TypedResults.Ok(await (await RegisteredAsync(grains, clusterId)).ExplainDisruptionAsync());

    private static async Task<Ok<IReadOnlyList<NodePoolStatus>>> NodePoolsAsync(string clusterId, IGrainFactory grains) =>
        TypedResults.Ok(await (await RegisteredAsync(grains, clusterId)).GetNodePoolsAsync());

    private static async Task<Ok<NodeClassInfo[]>> NodeClassesAsync(string clusterId, HttpContext context, IGrainFactory grains)
    {
        var cluster = await RegisteredAsync(grains, clusterId);
        var registration = (await cluster.GetRegistrationAsync())!;
        var nodeClasses = await cluster.GetNodeClassesAsync();
        return TypedResults.Ok(await Task.WhenAll(nodeClasses.Select(n => NodeClassViews.ResolveAsync(context, registration, n))));
    }

    private static async Task<Ok<NodeClassInfo>> NodeClassAsync(string clusterId, string name, HttpContext context, IGrainFactory grains)
    {
        RequestValidation.ClusterId(clusterId);
        RequestValidation.NodeClassName(name, "name");
        var cluster = await RegisteredAsync(grains, clusterId);
        var registration = (await cluster.GetRegistrationAsync())!;
        var nodeClass = (await cluster.GetNodeClassesAsync()).FirstOrDefault(n => n.Name == name)
            ?? throw ApiException.NotFound($"cluster '{clusterId}' has no node class '{name}'", "name");
        return TypedResults.Ok(await NodeClassViews.ResolveAsync(context, registration, nodeClass));
    }
}

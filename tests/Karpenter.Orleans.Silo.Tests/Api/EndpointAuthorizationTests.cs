using System.Net;
using Karpenter.Orleans.Silo.Tests.TestSupport;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Silo.Tests.Api;

/// <summary>
/// Walks the route table itself, so a route added later without a policy fails here: every endpoint names an
/// authorization policy or is one of the few listed anonymous ones, and each protected one answers 401 to a
/// request without a token (issue 8, "Open doors": nothing proved this, and the dashboard was open).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class EndpointAuthorizationTests(KarpoSiloFactory silo)
{
    /// <summary>
    /// The endpoints anyone may call, and why: probes are called by the kubelet and load balancers without
    /// credentials; /metrics by Prometheus (it holds no token, log or instance id; Karpo:Api:MetricsRequireToken
    /// closes it); the OpenAPI document describes the API, not its data; the dashboard's and the console's
    /// sign-in pages take the token.
    /// </summary>
    private static readonly HashSet<string> Anonymous =
    [
        "GET /livez", "GET /readyz", "GET /healthz", "GET /metrics", "GET /openapi/{documentName}.json",
        "GET /dashboard/login", "POST /dashboard/login", "GET /login", "POST /login",
    ];

    [Fact]
    public void Every_endpoint_carries_a_policy_or_is_a_listed_anonymous_one()
    {
        var endpoints = Endpoints();
        Assert.Contains(endpoints, e => e.Name.StartsWith("GET /dashboard", StringComparison.Ordinal) && !Anonymous.Contains(e.Name));
        Assert.Contains(endpoints, e => e.Name == "PUT /api/v1/clusters/{clusterId}/spend-cap");

        var unprotected = endpoints.Where(e => !Anonymous.Contains(e.Name) && !Protected(e.Endpoint)).Select(e => e.Name).ToArray();
        Assert.True(unprotected.Length == 0, "endpoints without an authorization policy: " + string.Join(", ", unprotected));

        // The list is not a blanket: each listed endpoint exists and really is open.
        foreach (var name in Anonymous)
        {
            var found = endpoints.Where(e => e.Name == name).ToArray();
            Assert.True(found.Length > 0, $"{name} is listed as anonymous but not mapped");
            Assert.All(found, e => Assert.False(Protected(e.Endpoint) && e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null, $"{name} is listed as anonymous but has a policy"));
        }
    }

    [Fact]
    public async Task Every_protected_endpoint_answers_401_without_a_token()
    {
        using var anonymous = silo.CreateClient(token: null);
        var failures = new List<string>();
        var count = 0;
        foreach (var (name, endpoint) in Endpoints().Where(e => !Anonymous.Contains(e.Name)))
        {
            var method = name[..name.IndexOf(' ', StringComparison.Ordinal)];
            using var request = new HttpRequestMessage(new HttpMethod(method), Url(endpoint.RoutePattern));
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = ApiJson.Raw("{}");
            }

            using var response = await anonymous.SendAsync(request);
            count++;
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{name} -> {(int)response.StatusCode}");
            }
        }

        Assert.True(count > 20, $"only {count} protected endpoints found");
        Assert.True(failures.Count == 0, "answered without a token: " + string.Join(", ", failures));
    }

    private static bool Protected(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null
        && endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles));

    /// <summary>Every route endpoint once per HTTP method, named "METHOD /pattern".</summary>
    private List<(string Name, RouteEndpoint Endpoint)> Endpoints()
    {
        var source = silo.Services.GetRequiredService<EndpointDataSource>();
        var result = new List<(string, RouteEndpoint)>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).TrimStart('/');
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            foreach (var method in methods is { Count: > 0 } ? methods : ["GET"])
            {
                result.Add(($"{method} {pattern}", endpoint));
            }
        }

        return result;
    }

    /// <summary>A concrete URL for a pattern: every parameter gets a valid-looking value.</summary>
    private static string Url(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => parameter.Name switch
            {
                "clusterId" => "walk-cluster",
                "provider" => "simulated",
                "region" => "us-east-1",
                _ when parameter.ParameterPolicies.Any(p => p.Content is "int" or "long") => "1",
                _ => "x",
            },
            _ => string.Empty,
        })));
        return "/" + string.Join('/', segments);
    }
}

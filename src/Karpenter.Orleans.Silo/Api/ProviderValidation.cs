using Karpenter.Orleans.CloudProviders;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// Registration and quotas name a provider and a region; both must exist, or the cluster would register and
/// then wait for capacity forever (and a quota would limit nothing). Checked before anything is stored.
/// </summary>
internal static class ProviderValidation
{
    public static async Task CheckAsync(HttpContext context, string provider, string region)
    {
        // A host without any cloud (none configured) has nothing to check against; the grains refuse later.
        if (context.RequestServices.GetService<ICloudProviders>() is not { } providers)
        {
            return;
        }

        if (!providers.Names.Contains(provider))
        {
            throw ApiException.BadRequest(
                $"provider '{provider}' is not configured (configured: {List(providers.Names)})", "provider");
        }

        var regions = await providers.Get(provider).GetRegionsAsync(context.RequestAborted);
        if (regions is not null && !regions.Contains(region, StringComparer.Ordinal))
        {
            throw ApiException.BadRequest(
                $"region '{region}' is not offered by provider '{provider}' (offered: {List(regions)})", "region");
        }
    }

    private static string List(IEnumerable<string> names)
    {
        var sorted = names.Order(StringComparer.Ordinal).ToArray();
        return sorted.Length == 0 ? "none" : string.Join(", ", sorted);
    }
}

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>
/// Kubernetes-style list paging: <c>?limit=</c> (default <see cref="DefaultLimit"/>, at most
/// <see cref="MaxLimit"/>) and <c>?continue=</c> with the opaque token the previous page answered in the
/// <see cref="ContinueHeader"/> header (absent on the last page). The body stays the JSON array it always
/// was. A token holds the sort key of the last item served, so a page resumes after it: items that exist
/// throughout a walk are served exactly once even while others come and go.
/// </summary>
internal static class ListPaging
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 5000;
    public const string LimitQuery = "limit";
    public const string ContinueQuery = "continue";
    public const string ContinueHeader = "Karpo-Continue";

    /// <summary>The requested page size and the key to resume after, checked before any grain is asked.</summary>
    public static Request Parse(HttpRequest request, string list)
    {
        var limit = DefaultLimit;
        var limitValues = request.Query[LimitQuery];
        if (limitValues.Count > 0)
        {
            if (limitValues.Count > 1 || !int.TryParse(limitValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit)
            {
                throw ApiException.BadRequest($"{LimitQuery} must be a whole number from 1 to {MaxLimit}", LimitQuery);
            }
        }

        var continueValues = request.Query[ContinueQuery];
        if (continueValues.Count == 0 || (continueValues.Count == 1 && string.IsNullOrEmpty(continueValues[0])))
        {
            return new Request(list, limit, null);
        }

        return new Request(list, limit, continueValues.Count == 1 ? Decode(continueValues[0]!, list) : throw InvalidToken());
    }

    /// <summary>One page of <paramref name="items"/> in key order; sets the continue header when more follow.</summary>
    public static T[] Page<T>(this Request page, HttpResponse response, IEnumerable<T> items, Func<T, string[]> key)
    {
        var ordered = items.Select(item => (Key: key(item), Item: item)).OrderBy(p => p.Key, KeyComparer.Instance);
        var remaining = page.After is null ? ordered : ordered.Where(p => KeyComparer.Instance.Compare(p.Key, page.After) > 0);
        var window = remaining.Take(page.Limit + 1).ToArray();
        if (window.Length > page.Limit)
        {
            response.Headers[ContinueHeader] = Encode(page.List, window[page.Limit - 1].Key);
            return [.. window.Take(page.Limit).Select(p => p.Item)];
        }

        return [.. window.Select(p => p.Item)];
    }

    /// <summary>A time as a key part: UTC round-trip text sorts like the time itself.</summary>
    public static string TimeKey(DateTimeOffset time) => time.UtcDateTime.ToString("o", CultureInfo.InvariantCulture);

    private static string Encode(string list, string[] key) =>
        WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(new Token(list, key), TokenJson.Default.Token));

    private static string[] Decode(string token, string list)
    {
        try
        {
            var decoded = JsonSerializer.Deserialize(WebEncoders.Base64UrlDecode(token), TokenJson.Default.Token);

            // A token from another list (or another version of this one) would resume at a meaningless place.
            return decoded is { L: var l, K: { Length: > 0 } k } && string.Equals(l, list, StringComparison.Ordinal) && k.All(part => part is not null)
                ? k
                : throw InvalidToken();
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            throw InvalidToken();
        }
    }

    private static ApiException InvalidToken() =>
        ApiException.BadRequest($"{ContinueQuery} is not a token this list answered; start again without it", ContinueQuery);

    public sealed record Request(string List, int Limit, string[]? After);

    internal sealed record Token(string L, string[] K);

    /// <summary>Component-wise ordinal order; a shorter key sorts first.</summary>
    private sealed class KeyComparer : IComparer<string[]>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare(string[]? x, string[]? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
            {
                var c = string.CompareOrdinal(x[i], y[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return x.Length.CompareTo(y.Length);
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Xml.Linq;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>
/// Makes EC2's describe calls answer in pages, as EC2 does and moto mostly does not (it ignores MaxResults for
/// DescribeInstanceTypes and never pages subnets). The first call of a paged action goes to the server; its item
/// set is cut into pages of the chosen size, the first is returned with a <c>nextToken</c>, and a call carrying
/// that token gets the next page, the last without a token. A caller that stops following tokens misses items.
/// </summary>
public sealed class Ec2Pages
{
    private const string TokenPrefix = "karpo-test-page:";

    private readonly ConcurrentDictionary<string, (int Size, bool EmptyFirst)> _pageSizes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (XDocument Document, XElement Set, List<XElement> Items, int Size)> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _served = new(StringComparer.Ordinal);

    /// <summary>
    /// Answers <paramref name="action"/> in pages of <paramref name="size"/> items; with <paramref name="emptyFirst"/>
    /// the first page holds none but a token, as EC2 answers filtered calls at times.
    /// </summary>
    public void Paginate(string action, int size, bool emptyFirst = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _pageSizes[action] = (size, emptyFirst);
    }

    /// <summary>How many pages of <paramref name="action"/> were served.</summary>
    public int Served(string action) => _served.GetValueOrDefault(action);

    public async Task<HttpResponseMessage> SendAsync(string action, IReadOnlyList<KeyValuePair<string, string>> form, Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var token = form.FirstOrDefault(p => p.Key == "NextToken").Value;
        if (token is not null && token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            if (!_pending.TryRemove(token, out var rest))
            {
                return new HttpResponseMessage(HttpStatusCode.BadRequest)
                {
                    Content = new StringContent($"<Response><Errors><Error><Code>InvalidNextToken</Code><Message>unknown token {token}</Message></Error></Errors></Response>", Encoding.UTF8, "text/xml"),
                };
            }

            return Page(action, rest.Document, rest.Set, rest.Items, rest.Size);
        }

        var response = await send();
        if (!_pageSizes.TryGetValue(action, out var paging) || !response.IsSuccessStatusCode)
        {
            return response;
        }

        var document = XDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var set = document.Root!.Elements().FirstOrDefault(e => e.Name.LocalName.EndsWith("Set", StringComparison.Ordinal));
        if (set is null)
        {
            return Xml(document);
        }

        var items = set.Elements().ToList();
        if (paging.EmptyFirst)
        {
            var next = TokenPrefix + Guid.NewGuid().ToString("n");
            _pending[next] = (document, set, items, paging.Size);
            _served.AddOrUpdate(action, 1, (_, n) => n + 1);
            var empty = new XDocument(document);
            empty.Root!.Elements(set.Name).First().RemoveNodes();
            empty.Root.Elements(set.Name.Namespace + "nextToken").Remove();
            empty.Root.Add(new XElement(set.Name.Namespace + "nextToken", next));
            return Xml(empty);
        }

        return Page(action, document, set, items, paging.Size);
    }

    private HttpResponseMessage Page(string action, XDocument document, XElement set, List<XElement> items, int size)
    {
        _served.AddOrUpdate(action, 1, (_, n) => n + 1);
        var page = new XDocument(document);
        var pageSet = page.Root!.Elements(set.Name).First();
        pageSet.RemoveNodes();
        pageSet.Add(items.Take(size).Select(i => new XElement(i)));
        page.Root.Elements(set.Name.Namespace + "nextToken").Remove();
        if (items.Count > size)
        {
            var next = TokenPrefix + Guid.NewGuid().ToString("n");
            _pending[next] = (document, set, items.Skip(size).ToList(), size);
            page.Root.Add(new XElement(set.Name.Namespace + "nextToken", next));
        }

        return Xml(page);
    }

    private static HttpResponseMessage Xml(XDocument document) =>
        new(HttpStatusCode.OK) { Content = new StringContent(document.ToString(SaveOptions.DisableFormatting), Encoding.UTF8, "text/xml") };
}

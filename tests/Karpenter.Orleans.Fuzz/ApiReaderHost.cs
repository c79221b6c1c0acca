using Karpenter.Orleans.Silo.Api;
using Karpenter.Orleans.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// The API's <see cref="JsonRequestReader"/> as the silo registers it (its JSON options and body limit
/// come from the service's own registration, so the fuzzer reads bodies exactly as the API does). The
/// host is built, never started: no silo, no ports, no files.
/// </summary>
internal sealed class ApiReaderHost : IDisposable
{
    /// <summary>Small enough that the mutator's growth reaches it, so the 413 path is fuzzed too.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private readonly WebApplication _app;

    public ApiReaderHost()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{KarpoApiOptions.Section}:{nameof(KarpoApiOptions.MaxRequestBodyBytes)}"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Karpo:Storage:Provider"] = "Memory",
            ["Karpo:SimulatedFleet:Enabled"] = "false",
        });
        builder.AddKarpoService();
        _app = builder.Build();
        Reader = _app.Services.GetRequiredService<JsonRequestReader>();
    }

    public JsonRequestReader Reader { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Reads <paramref name="body"/> as a request with a JSON content type would be read.</summary>
    public T Read<T>(byte[] body)
        where T : class
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body, writable: false);

        // The body is in memory, so the read completes synchronously.
        return Reader.ReadAsync<T>(context.Request).GetAwaiter().GetResult();
    }

    public void Dispose() => (_app as IDisposable).Dispose();
}

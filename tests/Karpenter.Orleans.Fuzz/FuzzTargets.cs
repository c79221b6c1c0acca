using System.Text.Json;
using Karpenter.Orleans.Abstractions;
using Karpenter.Orleans.Silo.Api;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// Every fuzz target, by name. The API targets share one built (never started) service host, built on first
/// use: under AFL, instrumented code must not run before SharpFuzz's loop has set up its shared memory.
/// </summary>
public sealed class FuzzTargets : IDisposable
{
    private readonly Lazy<ApiReaderHost> _host = new(() => new ApiReaderHost());
    private readonly Dictionary<string, FuzzTarget> _targets;

    public FuzzTargets()
    {
        var snapshot = new ApiBodyTarget<ClusterSnapshot>("snapshot", _host, body =>
        {
            RequestValidation.Snapshot(body);
            foreach (var item in body.Objects)
            {
                AgentObjectStage.Apply(item.Kind, item.Json);
            }
        });
        var json = new Lazy<JsonSerializerOptions>(() => _host.Value.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        FuzzTarget[] all =
        [
            new ApiBodyTarget<ClusterRegistration>("registration", _host, RequestValidation.Registration),
            snapshot,
            new ApiBodyTarget<DeltaBatch>("deltas", _host, body =>
            {
                RequestValidation.Batch(body);
                foreach (var delta in body.Deltas.Where(d => d.Type == DeltaType.Upsert && d.Json is not null))
                {
                    AgentObjectStage.Apply(delta.Kind, delta.Json!);
                }
            }),
            new ApiBodyTarget<SpendCapRequest>("spend-cap", _host, body => RequestValidation.SpendCap(body.PricePerHour, "pricePerHour")),
            new ApiBodyTarget<QuotaLimitRequest>("quota", _host, _ => { }),
            new AgentObjectTarget(snapshot, json),
            new ManifestTarget(),
            new CatalogTarget(),
        ];
        _targets = all.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => _targets.Keys;

    public FuzzTarget this[string name] =>
        _targets.TryGetValue(name, out var target)
            ? target
            : throw new ArgumentException($"no fuzz target '{name}' (targets: {string.Join(", ", Names)})", nameof(name));

    public void Dispose()
    {
        if (_host.IsValueCreated)
        {
            _host.Value.Dispose();
        }
    }
}

using System.Globalization;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Console;

/// <summary>
/// The real silo on Kestrel (a browser needs a real socket) with its simulated fleet running, pages that
/// reload every two seconds and a fleet snapshot and charts refreshed every second. Shared by the console's browser tests.
/// </summary>
public sealed class ConsoleSilo : IAsyncLifetime
{
    private readonly int _port = FreePorts.Next();
    private ConfiguredSiloFactory? _factory;

    public string BaseUrl => $"http://127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}";

    public ConfiguredSiloFactory Factory => _factory ?? throw new InvalidOperationException("not started");

    public Task InitializeAsync()
    {
        _factory = new ConfiguredSiloFactory(new Dictionary<string, string?>
        {
            ["urls"] = BaseUrl,
            ["Karpo:SimulatedFleet:Enabled"] = "true",
            ["Karpo:SimulatedFleet:Mode"] = "InProcess",
            ["Karpo:SimulatedFleet:Scale"] = "0.1",
            ["Karpo:SimulatedFleet:WorkloadPeriod"] = "06:00:00",
            ["Karpo:SimulatedCloud:BootDelay"] = "00:00:01",
            ["Karpo:SimulatedCloud:ShutdownDelay"] = "00:00:01",
            ["Karpo:Console:RefreshSeconds"] = "2",
            ["Karpo:Console:HistoryInterval"] = "00:00:01",
            ["Karpo:Console:SnapshotInterval"] = "00:00:01",
            ["Karpo:Dashboard:Enabled"] = "false",
        });
        _factory.UseKestrel();
        _factory.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

using Karpenter.Orleans.Cli;
using Karpenter.Orleans.Cli.Fleet;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// Runs karpo in-process against an HTTP handler, with environment variables from a dictionary instead of the
/// process environment (tests run in parallel) and a clock (stopped at <see cref="Now"/> unless given). KARPO_CONFIG always points into a private temp
/// folder, so the developer's own ~/.config/karpo/config.json never leaks into a test.
/// </summary>
internal sealed class KarpoFleet : IDisposable
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "karpo-cli-tests", Guid.NewGuid().ToString("N"));

    private readonly TimeProvider _clock;

    public KarpoFleet(HttpMessageHandler? handler, TimeProvider? clock = null)
    {
        Handler = handler;
        _clock = clock ?? new FixedClock(Now);
        Directory.CreateDirectory(_folder);
        Variables["KARPO_CONFIG"] = ConfigPath;
    }

    public HttpMessageHandler? Handler { get; }

    public Dictionary<string, string> Variables { get; } = [];

    public string ConfigPath => Path.Combine(_folder, "config.json");

    /// <summary>Stops a <c>--watch</c> run, as Ctrl-C does.</summary>
    public CancellationToken Stop { get; set; }

    public void WriteConfig(string json) => File.WriteAllText(ConfigPath, json);

    public FleetCliRun Run(params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var environment = new FleetEnvironment(Handler, name => Variables.GetValueOrDefault(name), _clock, Stop);
        var exitCode = KarpoApp.Run(args, stdout, stderr, environment);
        return new FleetCliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing the test over it is not.
        }
    }
}

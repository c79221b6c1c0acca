using System.Diagnostics;
using System.Globalization;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>
/// What a long <c>simulate</c> or <c>bench</c> run is doing: a line on stderr when a step starts and one with its
/// time when it ends (two whole lines, so a warning printed during the step never splits one), so a large input
/// does not look like a hang. Only when stderr is a terminal (a pipe or a file gets the output alone), or as
/// <c>KARPO_PROGRESS=1</c>/<c>0</c> says.
/// </summary>
internal sealed class Progress
{
    public const string Variable = "KARPO_PROGRESS";

    private readonly TextWriter _stderr;

    private Progress(TextWriter stderr, bool enabled)
    {
        _stderr = stderr;
        Enabled = enabled;
    }

    public bool Enabled { get; }

    public static Progress For(TextWriter stderr, Func<string, string?> getVariable) =>
        new(stderr, getVariable(Variable) switch
        {
            "1" or "true" => true,
            "0" or "false" => false,
            _ => ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected,
        });

    /// <summary>Starts a step; disposing it ends the line with the step's time.</summary>
    public IDisposable Step(string what)
    {
        if (!Enabled)
        {
            return NoStep.Instance;
        }

        _stderr.WriteLine($"karpo: {what} ...");
        _stderr.Flush();
        return new Running(_stderr, what, Stopwatch.StartNew());
    }

    private sealed class Running(TextWriter stderr, string what, Stopwatch stopwatch) : IDisposable
    {
        public void Dispose()
        {
            stderr.WriteLine($"karpo: {what}: " + stopwatch.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s");
            stderr.Flush();
        }
    }

    private sealed class NoStep : IDisposable
    {
        public static readonly NoStep Instance = new();

        public void Dispose()
        {
        }
    }
}

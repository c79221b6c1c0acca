using System.Diagnostics;
using System.Globalization;

namespace Karpenter.Orleans.Cli.Output;

/// <summary>
/// Where a whole <c>karpo simulate</c> run spends its time (docs/benchmarks.md, Whole command): with
/// <c>KARPO_TIMINGS=1</c>, one line per phase on stderr at the end, wall, process CPU (user+sys) and JIT time since the
/// previous phase, the first one counted from process start. Off by default and not in the help: it is for
/// measuring karpo, not for users.
/// </summary>
internal sealed class Timings
{
    public const string Variable = "KARPO_TIMINGS";

    private readonly List<(string Phase, double Wall, double Cpu, double Jit, long Methods)> _phases = [];
    private DateTime _last;
    private TimeSpan _lastCpu;
    private TimeSpan _lastJit;
    private long _lastMethods;

    private Timings(DateTime start)
    {
        _last = start;
        _lastCpu = TimeSpan.Zero;
    }

    /// <summary>Null unless <c>KARPO_TIMINGS=1</c>.</summary>
    public static Timings? For(Func<string, string?> getVariable)
    {
        if (getVariable(Variable) is not ("1" or "true"))
        {
            return null;
        }

        using var process = Process.GetCurrentProcess();
        return new Timings(process.StartTime.ToUniversalTime());
    }

    /// <summary>Ends the phase called <paramref name="phase"/> now.</summary>
    public void Mark(string phase)
    {
        var now = DateTime.UtcNow;
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        var methods = System.Runtime.JitInfo.GetCompiledMethodCount();
        _phases.Add((phase, (now - _last).TotalSeconds, (cpu - _lastCpu).TotalSeconds, (jit - _lastJit).TotalSeconds, methods - _lastMethods));
        _last = now;
        _lastCpu = cpu;
        _lastJit = jit;
        _lastMethods = methods;
    }

    public void Write(TextWriter stderr)
    {
        double wall = 0, cpu = 0, jit = 0;
        long methods = 0;
        foreach (var (phase, w, c, j, m) in _phases)
        {
            wall += w;
            cpu += c;
            jit += j;
            methods += m;
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"karpo timings: {phase,-20} {w,6:0.000} s wall {c,6:0.000} s cpu {j,6:0.000} s jit ({m} methods)"));
        }

        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"karpo timings: {"total",-20} {wall,6:0.000} s wall {cpu,6:0.000} s cpu {jit,6:0.000} s jit ({methods} methods)"));

        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"karpo timings: GC {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen0/1/2), paused {GC.GetTotalPauseDuration().TotalSeconds:0.000} s, heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:0} MB"));

        // What the run loaded: the publish folder should hold little more.
        var assemblies = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Order(StringComparer.Ordinal);
        stderr.WriteLine($"karpo timings: assemblies loaded: {string.Join(", ", assemblies)}");
    }
}

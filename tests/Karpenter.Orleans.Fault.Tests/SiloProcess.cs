using System.Diagnostics;
using System.Net;
using System.Text;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>
/// The real silo as a child process: <c>dotnet karpo-silo.dll</c> in a working folder of its own, with the
/// build output as content root (so its appsettings.json, the embedded default, is read) and settings as
/// environment variables. Its stdout and stderr go to a log file in the working folder.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly StreamWriter _logFile;
    private readonly Lock _gate = new();
    private bool _disposed;

    // Silos still running when the test host itself is stopped (a hang timeout, Ctrl-C) are killed with it.
    private static readonly List<Process> Running = [];

    static SiloProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (Running)
        {
            foreach (var process in Running.Where(p => !p.HasExited))
            {
                process.Kill(entireProcessTree: true);
            }
        }
    };

    private SiloProcess(string name, Process process, StreamWriter logFile, Uri address)
    {
        Name = name;
        _process = process;
        _logFile = logFile;
        Address = address;
    }

    public string Name { get; }

    public Uri Address { get; }

    public SiloPorts Ports { get; private init; } = null!;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything this process wrote so far.</summary>
    public string Log
    {
        get
        {
            lock (_gate)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the silo. <paramref name="settings"/> are environment variables (Karpo__..., Orleans__..., KARPO_FAULT_KILL_AT);
    /// <paramref name="ports"/> are the HTTP, silo and gateway ports, new free ones when null (a silo started again on the
    /// same ports takes over its dead predecessor's membership entry at once).
    /// </summary>
    public static SiloProcess Start(string name, string workingDirectory, IReadOnlyDictionary<string, string> settings, SiloPorts? ports = null)
    {
        Directory.CreateDirectory(workingDirectory);
        ports ??= new SiloPorts(FreePorts.Next(), FreePorts.Next(), FreePorts.Next());
        var httpPort = ports.Http;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(SiloBuild.Dll);
        info.ArgumentList.Add("--contentRoot");
        info.ArgumentList.Add(SiloBuild.OutputDirectory);

        // Nothing of the test runner's own settings leaks into the silo: only what the scenario gives it.
        foreach (var key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("Karpo__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Orleans__", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("KARPO_", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(key);
            }
        }

        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        info.Environment["Orleans__Endpoints__SiloPort"] = ports.Silo.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["Orleans__Endpoints__GatewayPort"] = ports.Gateway.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The karpo client config goes into the run's folder, never the user's.
        info.Environment["Karpo__Auth__ClientConfigPath"] = Path.Combine(workingDirectory, "karpo-client.json");
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        var logFile = new StreamWriter(Path.Combine(workingDirectory, $"{name}.log"), append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var silo = new SiloProcess(name, process, logFile, new Uri($"http://127.0.0.1:{httpPort}")) { Ports = ports };
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.Start();
        lock (Running)
        {
            Running.Add(process);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Waits until the API answers an authenticated call (the silo is an active member with storage), or fails with the log.</summary>
    public async Task WaitUntilServingAsync(string adminToken, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", adminToken);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"silo {Name} exited ({_process.ExitCode}) before serving:\n{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/api/v1/clusters", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"silo {Name} did not serve within {timeout}:\n{Tail()}");
    }

    /// <summary>Waits for the process to end by itself (a fault point killed it); false when it still runs at the deadline.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The exit code; 137 (128 + SIGKILL) when it was killed.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL from outside (kill -9), as an OOM killer or a lost machine would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public string Tail(int lines = 60)
    {
        var all = Log.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await KillAsync();
        _process.Dispose();
        lock (_gate)
        {
            _logFile.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _log.AppendLine(line);
            _logFile.WriteLine(line);
        }
    }
}

using System.Diagnostics;

namespace Karpenter.Orleans.Kubernetes.ApiServer.Tests;

/// <summary>Runs the real kubectl against a server, with its own kubeconfig, HOME and discovery cache.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("karpo-kubectl-").FullName;

    public Kubectl(KubeApiServer server, string? token = null)
    {
        Kubeconfig = Path.Combine(_directory, "kubeconfig");
        server.WriteKubeconfig(Kubeconfig, token);
    }

    public string Kubeconfig { get; }

    /// <summary>kubectl on PATH, or null when it is not installed (scripts/test.sh installs it).</summary>
    public static string? Binary { get; } = Environment.GetEnvironmentVariable("PATH")?
        .Split(Path.PathSeparator)
        .Select(dir => Path.Combine(dir, "kubectl"))
        .FirstOrDefault(File.Exists);

    public static void SkipUnlessInstalled() =>
        Skip.If(Binary is null, "kubectl is not installed and could not be installed here (scripts/test.sh installs Debian's kubectl with apt-get)");

    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs kubectl with <paramref name="input"/> on its standard input (for <c>apply -f -</c>).</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(string? input, params string[] args)
    {
        var start = new ProcessStartInfo(Binary!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--kubeconfig=" + Kubeconfig);
        start.ArgumentList.Add("--cache-dir=" + Path.Combine(_directory, "cache"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = _directory;
        start.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Runs kubectl and fails the test, showing its output, unless it exits 0.</summary>
    public async Task<string> SucceedsAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == 0, $"kubectl {string.Join(' ', args)} exited {code}:\n{output}\n{error}");
        return output;
    }

    /// <summary>Like <see cref="SucceedsAsync"/>, with <paramref name="input"/> on kubectl's standard input.</summary>
    public async Task<string> SucceedsWithInputAsync(string input, params string[] args)
    {
        var (code, output, error) = await RunWithInputAsync(input, args);
        Assert.True(code == 0, $"kubectl {string.Join(' ', args)} exited {code}:\n{output}\n{error}");
        return output;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }
}

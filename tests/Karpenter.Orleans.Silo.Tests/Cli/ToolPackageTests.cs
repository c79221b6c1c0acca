using System.Diagnostics;
using Karpenter.Orleans.Silo.Tests.Operations;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// karpo installs the way .NET command lines do (docs/cli.md, Installing): <c>dotnet pack</c> makes a tool package,
/// <c>dotnet tool install</c> puts a <c>karpo</c> command on disk, and that command runs, shipped catalog included.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly string _folder = Directory.CreateTempSubdirectory("karpo-tool-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_packed_tool_installs_and_runs_as_karpo()
    {
        var packages = Path.Combine(_folder, "packages");
        var tools = Path.Combine(_folder, "tools");
        // The test project builds karpo in its own configuration already: pack what is built.
        await SucceedsAsync("dotnet", "pack", OpsFiles.PathOf("src/Karpenter.Orleans.Cli"), "-c", Configuration, "--no-build", "-o", packages);
        Assert.Single(Directory.GetFiles(packages, "karpo.*.nupkg"));

        // Only the local folder as a source, so a package of the same id on a public feed can never be the one installed.
        var config = Path.Combine(_folder, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
            """);
        await SucceedsAsync("dotnet", "tool", "install", "karpo", "--tool-path", tools, "--configfile", config);

        var karpo = Path.Combine(tools, OperatingSystem.IsWindows() ? "karpo.exe" : "karpo");
        var help = await SucceedsAsync(karpo, "--help");
        Assert.Contains("simulate", help, StringComparison.Ordinal);
        Assert.Contains("nodeclaims", help, StringComparison.Ordinal);

        // The shipped catalog travels in the package: simulate needs no --instance-types, from any folder.
        var plan = await SucceedsAsync(karpo, "simulate", "-f", OpsFiles.PathOf("examples/simulate/workloads.yaml"), "-f", OpsFiles.PathOf("examples/simulate/nodepools.yaml"), "-o", "json");
        Assert.Contains("\"nodeClaims\"", plan, StringComparison.Ordinal);
    }

    private async Task<string> SucceedsAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{Tail(output)}\n{Tail(await stderr)}");
        return output;
    }

    private static string Tail(string text) => text.Length <= 3000 ? text : text[^3000..];
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>
/// The EC2-compatible endpoint the tests run against: the moto_server the test command started
/// (<c>KARPO_TEST_EC2_ENDPOINT</c>), or one this fixture starts on a free port and stops when the
/// tests are done, so <c>dotnet test</c> on this project works alone too. Without moto on the machine
/// the tests fail with that said, rather than pass without a cloud.
/// </summary>
public sealed class MotoServer : IAsyncLifetime
{
    private Process? _process;

    public string Endpoint { get; private set; } = "";

    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials("testing", "testing");

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("KARPO_TEST_EC2_ENDPOINT");
        if (!string.IsNullOrEmpty(configured))
        {
            Endpoint = configured.TrimEnd('/');
            await ResetAsync();
            return;
        }

        var port = FreePort();
        var start = new ProcessStartInfo("moto_server", ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("moto_server is not on PATH; the AWS provider tests need it (the machine image ships moto 5.2.1), or set KARPO_TEST_EC2_ENDPOINT", e);
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Endpoint = $"http://127.0.0.1:{port}";
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with code {_process.ExitCode} before listening on {Endpoint}");
            }

            try
            {
                await ResetAsync();
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"moto_server did not listen on {Endpoint} within 30 s");
    }

    /// <summary>Forgets every instance, template, queue and tag: each test starts from moto's initial account.</summary>
    public async Task ResetAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri($"{Endpoint}/moto-api/reset"), null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Options pointing the provider at this server.</summary>
    public AwsProviderOptions Options(params string[] regions) => new()
    {
        ServiceUrl = Endpoint,
        Regions = regions.Length == 0 ? ["us-east-1"] : [.. regions],
    };

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

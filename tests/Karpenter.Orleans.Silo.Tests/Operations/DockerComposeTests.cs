using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Karpenter.Orleans.Silo.Tests.Operations;

/// <summary>docker-compose.yml and deploy/docker/Dockerfile, checked without Docker.</summary>
public sealed partial class DockerComposeTests
{
    private static readonly Lazy<Dictionary<object, object?>> LazyServices = new(() =>
        OpsFiles.AsMap(OpsFiles.ReadYamlMap("docker-compose.yml")["services"], "services"));

    private static Dictionary<object, object?> Services => LazyServices.Value;

    [Fact]
    public void Has_postgres_two_silos_prometheus_and_grafana()
    {
        Assert.Equal(
            ["grafana", "postgres", "prometheus", "silo-1", "silo-2"],
            Services.Keys.Cast<string>().Order(StringComparer.Ordinal));
        Assert.Equal("postgres:15", Service("postgres").Str("image"));
        Assert.NotNull(Service("postgres").Map("healthcheck"));
        Assert.Contains(Service("postgres").List("volumes").OfType<string>(), volume => volume.EndsWith(":/var/lib/postgresql/data", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("silo-1", 5080)]
    [InlineData("silo-2", 5081)]
    public void Silo_publishes_its_http_port_and_uses_postgres(string name, int hostPort)
    {
        var silo = Service(name);

        Assert.Contains(silo.List("ports").OfType<string>(), port => PublishedPort(port) == (hostPort, 5080));
        var environment = Environment(silo);
        Assert.Equal("PostgreSql", environment.GetValueOrDefault("Karpo__Storage__Provider"));
        Assert.Contains("Host=postgres", environment.GetValueOrDefault("Karpo__Storage__ConnectionString") ?? string.Empty, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(environment.GetValueOrDefault("Orleans__ClusterId")), $"{name}: Orleans__ClusterId");
        Assert.False(string.IsNullOrEmpty(environment.GetValueOrDefault("Orleans__ServiceId")), $"{name}: Orleans__ServiceId");
        Assert.False(string.IsNullOrEmpty(environment.GetValueOrDefault("Karpo__Auth__AdminToken")), $"{name}: admin token");
        Assert.Contains("postgres", DependsOn(silo));
        Assert.Contains("GET /readyz ", string.Join(' ', silo.Map("healthcheck")?.List("test").OfType<string>() ?? []), StringComparison.Ordinal);
        Assert.Equal("false", environment.GetValueOrDefault("Karpo__Dashboard__Enabled"));
    }

    [Fact]
    public void Both_silos_form_one_orleans_cluster_and_exactly_one_runs_the_simulated_fleet()
    {
        var environments = new[] { "silo-1", "silo-2" }.Select(name => Environment(Service(name))).ToList();

        Assert.Single(environments.Select(environment => environment["Orleans__ClusterId"]).Distinct());
        Assert.Single(environments.Select(environment => environment["Orleans__ServiceId"]).Distinct());
        Assert.Single(environments, environment =>
            string.Equals(environment.GetValueOrDefault("Karpo__SimulatedFleet__Enabled"), "true", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Depends_on_names_existing_services()
    {
        var missing = Services
            .SelectMany(pair => DependsOn(OpsFiles.AsMap(pair.Value, (string)pair.Key)).Select(target => (Service: (string)pair.Key, Target: target)))
            .Where(edge => !Services.ContainsKey(edge.Target))
            .Select(edge => $"{edge.Service} -> {edge.Target}")
            .ToList();

        Assert.True(missing.Count == 0, "depends_on unknown services: " + string.Join(", ", missing));
    }

    [Fact]
    public void Files_the_services_mount_or_build_from_exist()
    {
        var missing = new List<string>();
        foreach (var (key, value) in Services)
        {
            var service = OpsFiles.AsMap(value, (string)key);
            foreach (var volume in service.List("volumes").OfType<string>())
            {
                var source = volume.Split(':')[0];
                if (source.StartsWith('.') && !File.Exists(OpsFiles.PathOf(source)) && !Directory.Exists(OpsFiles.PathOf(source)))
                {
                    missing.Add($"{key}: {source}");
                }
            }

            if (service.Map("build") is { } build)
            {
                var context = build.Str("context") ?? ".";
                var dockerfile = Path.Combine(context, build.Str("dockerfile") ?? "Dockerfile");
                if (!File.Exists(OpsFiles.PathOf(dockerfile)))
                {
                    missing.Add($"{key}: {dockerfile}");
                }
            }
        }

        Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing));
        Assert.NotNull(Service("silo-1").Map("build"));
        Assert.NotNull(Service("silo-2").Map("build"));
    }

    [Fact]
    public void Prometheus_and_grafana_use_the_deploy_folder()
    {
        var prometheusVolumes = Service("prometheus").List("volumes").OfType<string>().ToList();
        Assert.Contains(prometheusVolumes, volume => volume.StartsWith("./deploy/prometheus/prometheus.yml:", StringComparison.Ordinal));
        Assert.Contains(prometheusVolumes, volume => volume.StartsWith("./deploy/prometheus/alerts.yml:", StringComparison.Ordinal));

        // The rules file Prometheus is told to load is the one compose mounts.
        var config = OpsFiles.ReadYamlMap("deploy/prometheus/prometheus.yml");
        var mountedAt = prometheusVolumes.Single(volume => volume.StartsWith("./deploy/prometheus/alerts.yml:", StringComparison.Ordinal)).Split(':')[1];
        Assert.Contains(mountedAt, config.List("rule_files").OfType<string>());

        var grafanaVolumes = Service("grafana").List("volumes").OfType<string>().ToList();
        Assert.Contains(grafanaVolumes, volume => volume.StartsWith("./deploy/grafana/provisioning/datasources:", StringComparison.Ordinal));
        Assert.Contains(grafanaVolumes, volume => volume.StartsWith("./deploy/grafana/provisioning/dashboards:", StringComparison.Ordinal));
        Assert.Contains(grafanaVolumes, volume => volume.StartsWith("./deploy/grafana/dashboards:", StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerfile_builds_the_silo_in_two_stages_and_runs_it_as_non_root()
    {
        var dockerfile = OpsFiles.Read("deploy/docker/Dockerfile");
        var froms = FromLine().Matches(dockerfile).Select(match => match.Groups["image"].Value).ToList();

        Assert.Equal(2, froms.Count);
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", froms[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", froms[1], StringComparison.Ordinal);
        Assert.Contains("ARG DOTNET_VERSION=10.0", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/Karpenter.Orleans.Silo/Karpenter.Orleans.Silo.csproj", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(OpsFiles.PathOf("src/Karpenter.Orleans.Silo/Karpenter.Orleans.Silo.csproj")));
        Assert.Matches(@"(?m)^USER\s+\S+", dockerfile);

        // The entry point runs the assembly the silo project builds.
        var assemblyName = XDocument.Parse(OpsFiles.Read("src/Karpenter.Orleans.Silo/Karpenter.Orleans.Silo.csproj"))
            .Descendants("AssemblyName").Single().Value;
        Assert.Contains($"\"{assemblyName}.dll\"", dockerfile, StringComparison.Ordinal);
        foreach (var port in new[] { "5080", "11111", "30000" })
        {
            Assert.Matches($@"(?m)^EXPOSE\b.*\b{port}\b", dockerfile);
        }
    }

    [Fact]
    public void Dockerfile_copies_only_files_that_exist()
    {
        var missing = new List<string>();
        foreach (Match copy in CopyLine().Matches(OpsFiles.Read("deploy/docker/Dockerfile")))
        {
            var arguments = copy.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (arguments.Any(argument => argument.StartsWith("--from", StringComparison.Ordinal)))
            {
                continue;
            }

            var sources = arguments.Where(argument => !argument.StartsWith("--", StringComparison.Ordinal)).SkipLast(1);
            missing.AddRange(sources.Where(source => !File.Exists(OpsFiles.PathOf(source)) && !Directory.Exists(OpsFiles.PathOf(source))));
        }

        Assert.True(missing.Count == 0, "COPY sources missing: " + string.Join(", ", missing));
    }

    private static Dictionary<object, object?> Service(string name)
    {
        Assert.True(Services.ContainsKey(name), $"docker-compose.yml has no service {name}");
        return OpsFiles.AsMap(Services[name], name);
    }

    private static Dictionary<string, string> Environment(Dictionary<object, object?> service)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (service.GetValueOrDefault("environment"))
        {
            case Dictionary<object, object?> map:
                foreach (var (key, value) in map)
                {
                    environment[(string)key] = value as string ?? string.Empty;
                }

                break;
            case List<object?> list:
                foreach (var entry in list.OfType<string>())
                {
                    var equals = entry.IndexOf('=', StringComparison.Ordinal);
                    environment[equals < 0 ? entry : entry[..equals]] = equals < 0 ? string.Empty : entry[(equals + 1)..];
                }

                break;
        }

        return environment;
    }

    private static IEnumerable<string> DependsOn(Dictionary<object, object?> service) =>
        service.GetValueOrDefault("depends_on") switch
        {
            Dictionary<object, object?> map => map.Keys.Cast<string>(),
            List<object?> list => list.OfType<string>(),
            _ => [],
        };

    /// <summary>(host, container) of a "[ip:]host:container[/proto]" port, or (0, 0).</summary>
    private static (int Host, int Container) PublishedPort(string port)
    {
        var parts = port.Split('/')[0].Split(':');
        return parts.Length >= 2 && int.TryParse(parts[^2], out var host) && int.TryParse(parts[^1], out var container)
            ? (host, container)
            : (0, 0);
    }

    [GeneratedRegex(@"(?m)^COPY\s+(?<args>.+?)\s*$")]
    private static partial Regex CopyLine();

    [GeneratedRegex(@"(?m)^FROM\s+(?:--\S+\s+)*(?<image>\S+)")]
    private static partial Regex FromLine();
}

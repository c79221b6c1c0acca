using Karpenter.Orleans.CloudProviders;
using Karpenter.Orleans.Simulation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Karpenter.Orleans.Service.Tests.Simulation;

/// <summary>Options bind from "Karpo:SimulatedFleet", default to three clusters in two regions, and fail early with the key to fix.</summary>
public sealed class SimulatedFleetOptionsTests
{
    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSimulatedFleet(configuration.GetSection(SimulatedFleetOptions.SectionName));
        return services;
    }

    private static SimulatedFleetOptions Resolve(Dictionary<string, string?> settings)
    {
        using var provider = Services(settings).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<SimulatedFleetOptions>>().Value;
    }

    [Fact]
    public void Defaults_are_three_clusters_in_two_regions_ticking_every_second()
    {
        var options = Resolve([]);

        Assert.True(options.Enabled);
        Assert.Equal(["prod-use1", "prod-usw2", "staging-use1"], options.Clusters.Select(c => c.ClusterId));
        Assert.Equal(2, options.Clusters.Select(c => c.Region).Distinct().Count());
        Assert.All(options.Clusters, c =>
        {
            Assert.Equal("simulated", c.Provider);
            Assert.Equal("111111111111", c.Account);
        });
        Assert.Equal(TimeSpan.FromSeconds(1), options.TickInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), options.WorkloadPeriod);
        Assert.Equal(1.0, options.Scale);
        Assert.Equal(SimulationMode.Kubernetes, options.Mode);
        Assert.Null(options.ServiceUrl);
    }

    [Fact]
    public void A_service_address_that_is_not_absolute_http_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Karpo:SimulatedFleet:ServiceUrl"] = "ftp://silo.example.com" }));

        Assert.Equal(["Karpo:SimulatedFleet:ServiceUrl must be an absolute http or https address (got ftp://silo.example.com/)."], error.Failures);
    }

    [Fact]
    public void Configured_clusters_replace_the_defaults()
    {
        var options = Resolve(new()
        {
            ["Karpo:SimulatedFleet:Clusters:0:ClusterId"] = "only",
            ["Karpo:SimulatedFleet:Clusters:0:Region"] = "eu-west-1",
            ["Karpo:SimulatedFleet:WorkloadPeriod"] = "00:02:00",
            ["Karpo:SimulatedFleet:Scale"] = "2.5",
        });

        var cluster = Assert.Single(options.Clusters);
        Assert.Equal(("only", "eu-west-1", "simulated"), (cluster.ClusterId, cluster.Region, cluster.Provider));
        Assert.Equal(TimeSpan.FromMinutes(2), options.WorkloadPeriod);
        Assert.Equal(2.5, options.Scale);
    }

    [Fact]
    public void The_fleet_s_provider_is_the_provider_of_every_default_cluster()
    {
        var services = Services(new() { ["Karpo:SimulatedFleet:Provider"] = "test" });
        services.AddSingleton<ICloudProviders>(new CloudProviderRegistry([new TestCloud(new FakeTimeProvider())]));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<SimulatedFleetOptions>>().Value;

        Assert.Equal(["prod-use1", "prod-usw2", "staging-use1"], options.Clusters.Select(c => c.ClusterId));
        Assert.All(options.Clusters, c => Assert.Equal("test", c.Provider));
    }

    [Fact]
    public void A_provider_name_nobody_registered_is_refused_naming_the_setting_and_the_registered_names()
    {
        var services = Services(new()
        {
            ["Karpo:SimulatedFleet:Provider"] = "aws-typo",
            ["Karpo:SimulatedFleet:Clusters:0:ClusterId"] = "only",
            ["Karpo:SimulatedFleet:Clusters:0:Region"] = "us-east-1",
            ["Karpo:SimulatedFleet:Clusters:0:Provider"] = "gce",
        });
        services.AddSingleton<ICloudProviders>(new CloudProviderRegistry([new TestCloud(new FakeTimeProvider())]));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SimulatedFleetOptions>>().Value);

        Assert.Equal(
            [
                "Karpo:SimulatedFleet:Provider: no cloud provider named 'aws-typo' (registered: test).",
                "Karpo:SimulatedFleet:Clusters:0:Provider: no cloud provider named 'gce' (registered: test).",
            ],
            error.Failures);
    }

    [Theory]
    [InlineData(null, null, true, true)]
    [InlineData(null, "false", true, false)]
    [InlineData("false", null, false, false)]
    public async Task In_the_default_Kubernetes_mode_the_fleet_on_the_agent_path_is_registered_instead(string? enabled, string? autoTick, bool fleet, bool service)
    {
        var services = Services(new()
        {
            ["Karpo:SimulatedFleet:Enabled"] = enabled,
            ["Karpo:SimulatedFleet:AutoTick"] = autoTick,
            ["Karpo:SimulatedFleet:Clusters:0:ClusterId"] = "alpha",
            ["Karpo:SimulatedFleet:Clusters:0:Region"] = TestCloud.Region,
            ["Karpo:SimulatedFleet:Clusters:0:Provider"] = "test",
        });
        services.AddLogging();
        services.AddSingleton(FakeGrainFactory.Create().Factory);
        services.AddSingleton<ICloudProviders>(new CloudProviderRegistry([new TestCloud(new FakeTimeProvider())]));
        services.AddSingleton<IHostApplicationLifetime, FakeLifetime>();
        await using var provider = services.BuildServiceProvider();

        Assert.Null(provider.GetService<SimulatedFleet>());
        Assert.Equal(fleet, provider.GetService<SimulatedKubeFleet>() is not null);
        Assert.Equal(service, provider.GetServices<IHostedService>().OfType<SimulatedKubeFleetService>().Any());
        if (fleet)
        {
            Assert.Equal(["alpha"], provider.GetRequiredService<SimulatedKubeFleet>().Configured.Select(c => c.ClusterId));
        }
    }

    [Theory]
    [InlineData(null, null, true, true)]
    [InlineData(null, "false", true, false)]
    [InlineData("false", null, false, false)]
    public void Enabled_and_AutoTick_decide_what_is_registered(string? enabled, string? autoTick, bool fleet, bool service)
    {
        var time = new FakeTimeProvider();
        var services = Services(new()
        {
            ["Karpo:SimulatedFleet:Enabled"] = enabled,
            ["Karpo:SimulatedFleet:AutoTick"] = autoTick,
            ["Karpo:SimulatedFleet:Mode"] = "InProcess",
            ["Karpo:SimulatedFleet:Clusters:0:ClusterId"] = "alpha",
            ["Karpo:SimulatedFleet:Clusters:0:Region"] = TestCloud.Region,
            ["Karpo:SimulatedFleet:Clusters:0:Provider"] = "test",
        });
        services.AddLogging();
        services.AddSingleton(FakeGrainFactory.Create().Factory);
        services.AddSingleton<ICloudProviders>(new CloudProviderRegistry([new TestCloud(time)]));
        services.AddSingleton<IHostApplicationLifetime, FakeLifetime>();
        services.AddKeyedSingleton<TimeProvider>(SimulatedFleet.TimeProviderKey, time);
        using var provider = services.BuildServiceProvider();

        Assert.Equal(fleet, provider.GetService<SimulatedFleet>() is not null);
        Assert.Equal(service, provider.GetServices<IHostedService>().OfType<SimulatedFleetService>().Any());
        if (fleet)
        {
            // The keyed clock is the fleet's: its clusters' curves start at the fake time.
            var cluster = Assert.Single(provider.GetRequiredService<SimulatedFleet>().Clusters);
            var before = cluster.DesiredReplicas("web");
            time.Advance(TimeSpan.FromMinutes(5));
            Assert.NotEqual(before, cluster.DesiredReplicas("web"));
        }
    }

    [Theory]
    [InlineData("Karpo:SimulatedFleet:TickInterval", "00:00:00", "Karpo:SimulatedFleet:TickInterval")]
    [InlineData("Karpo:SimulatedFleet:WorkloadPeriod", "00:00:02", "Karpo:SimulatedFleet:WorkloadPeriod")]
    [InlineData("Karpo:SimulatedFleet:Scale", "0", "Karpo:SimulatedFleet:Scale")]
    [InlineData("Karpo:SimulatedFleet:Clusters:0:ClusterId", "Not_A_Label", "Karpo:SimulatedFleet:Clusters:0:ClusterId")]
    [InlineData("Karpo:SimulatedFleet:Clusters:0:Region", "", "Karpo:SimulatedFleet:Clusters:0:Region")]
    public void Invalid_settings_fail_naming_the_key(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Karpo:SimulatedFleet:Clusters:0:ClusterId"] = "a",
            ["Karpo:SimulatedFleet:Clusters:0:Region"] = "us-east-1",
            [key] = value,
        };

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_cluster_ids_fail()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Karpo:SimulatedFleet:Clusters:0:ClusterId"] = "a",
            ["Karpo:SimulatedFleet:Clusters:0:Region"] = "us-east-1",
            ["Karpo:SimulatedFleet:Clusters:1:ClusterId"] = "a",
            ["Karpo:SimulatedFleet:Clusters:1:Region"] = "us-west-2",
        }));

        Assert.Contains("appears twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Karpo:SimulatedFleet:AutoTick"] = "false",
            ["Karpo:SimulatedFleet:Scale"] = "-1",
        });
        builder.Services.AddSimulatedFleet(builder.Configuration.GetSection(SimulatedFleetOptions.SectionName));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Scale", error.Message, StringComparison.Ordinal);
    }
}

using Karpenter.Orleans.CloudProviders.Simulated;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.CloudProviders.Tests;

/// <summary>Options of the simulated cloud: defaults, validation messages, binding and registration.</summary>
public sealed class SimulatedCloudOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var options = new SimulatedCloudOptions();

        Assert.Equal(["us-east-1", "us-west-2", "eu-west-1"], options.EffectiveRegions());
        Assert.Null(options.CatalogPath);
        Assert.Equal(TimeSpan.FromSeconds(5), options.BootDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ShutdownDelay);
        Assert.Equal(1.0, options.PriceFactor("us-east-1"));
        Assert.Equal(1.08, options.PriceFactor("us-west-2"));
        Assert.Equal(1.12, options.PriceFactor("eu-west-1"));
        Assert.Equal(1.0, options.PriceFactor("ap-south-1"));
        Assert.Empty(options.VcpuQuota);
        Assert.True(options.AutomaticInterruptions);
        Assert.True(options.AutomaticRebalanceRecommendations);
        Assert.Equal(0.02, options.ScheduledChangesPerInstanceDay);
        Assert.Null(options.StateFile);
        Assert.Equal(0, options.Seed);
        Assert.Empty(SimulatedCloudOptionsValidator.Problems(options));
    }

    [Fact]
    public void Every_problem_is_reported_with_the_option_it_is_about()
    {
        var options = new SimulatedCloudOptions
        {
            BootDelay = TimeSpan.FromSeconds(-1),
            ShutdownDelay = TimeSpan.FromSeconds(-2),
            StateFile = " ",
            Regions = { "us-east-1", "US East", "us-east-1" },
            RegionPriceFactors = { ["us-west-2"] = 0 },
            VcpuQuota = { ["preemptible"] = 10, ["spot"] = -1 },
            ScheduledChangesPerInstanceDay = 1.5,
        };

        var problems = SimulatedCloudOptionsValidator.Problems(options);

        Assert.Equal(
            [
                "Regions: 'US East' is not a region name like us-east-1",
                "Regions: 'us-east-1' is listed twice",
                "BootDelay: -00:00:01 is negative; use 0 or more (default 00:00:05)",
                "ShutdownDelay: -00:00:02 is negative; use 0 or more (default 00:00:05)",
                "RegionPriceFactors:us-west-2: 0 is not a positive number",
                "VcpuQuota: unknown capacity type 'preemptible'; expected on-demand, reserved, spot",
                "VcpuQuota:spot: -1 is negative; leave it out for no quota",
                "ScheduledChangesPerInstanceDay: 1.5 is not a chance from 0 to 1; use 0 for no scheduled changes (default 0.02)",
                "StateFile: is blank; leave it out to keep state in memory only",
            ],
            problems);
    }

    [Fact]
    public void A_missing_catalog_is_reported_naming_CatalogPath()
    {
        var options = new SimulatedCloudOptions { CatalogPath = "/nowhere/catalog.json" };

        var ex = Assert.Throws<OptionsValidationException>(() => new SimulatedCloudProvider(options, TimeProvider.System));

        var problem = Assert.Single(ex.Failures);
        Assert.StartsWith("CatalogPath: the instance-type catalog '/nowhere/catalog.json' does not exist", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_catalog_path_relative_to_the_app_is_found()
    {
        var cloud = SimulatedClouds.Create(SimulatedClouds.Clock(), o => o.CatalogPath = SimulatedCloudOptions.DefaultCatalogFile);

        Assert.True(Path.IsPathRooted(cloud.CatalogPath));
        Assert.NotEmpty((await cloud.GetInstanceTypesAsync("us-east-1")).InstanceTypes);
    }

    [Fact]
    public async Task AddSimulatedCloud_binds_the_section_and_registers_one_provider_for_every_role()
    {
        var section = Configuration(new()
        {
            ["Cloud:Regions:0"] = "us-east-1",
            ["Cloud:Regions:1"] = "ap-south-1",
            ["Cloud:BootDelay"] = "00:00:20",
            ["Cloud:RegionPriceFactors:ap-south-1"] = "0.9",
            ["Cloud:VcpuQuota:spot"] = "64",
            ["Cloud:AutomaticInterruptions"] = "false",
            ["Cloud:AutomaticRebalanceRecommendations"] = "false",
            ["Cloud:ScheduledChangesPerInstanceDay"] = "0.005",
            ["Cloud:Seed"] = "42",
        }).GetSection("Cloud");
        var services = new ServiceCollection().AddSimulatedCloud(section);
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var options = provider.GetRequiredService<IOptions<SimulatedCloudOptions>>().Value;
        Assert.Equal(["us-east-1", "ap-south-1"], options.EffectiveRegions());
        Assert.Equal(TimeSpan.FromSeconds(20), options.BootDelay);
        Assert.Equal(0.9, options.PriceFactor("ap-south-1"));
        Assert.Equal(1.08, options.PriceFactor("us-west-2"));
        Assert.Equal(64, options.VcpuQuota["spot"]);
        Assert.False(options.AutomaticInterruptions);
        Assert.False(options.AutomaticRebalanceRecommendations);
        Assert.Equal(0.005, options.ScheduledChangesPerInstanceDay);
        Assert.Equal(42, options.Seed);

        var simulated = provider.GetRequiredService<SimulatedCloudProvider>();
        Assert.Same(simulated, provider.GetRequiredService<ICloudProvider>());
        // The registry hands out the provider timed by its metering decorator.
        Assert.Same(simulated, Assert.IsType<MeteredCloudProvider>(provider.GetRequiredService<ICloudProviders>().Get("simulated")).Inner);
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Equal(["us-east-1", "ap-south-1"], simulated.Regions);
    }

    [Fact]
    public async Task AddSimulatedCloud_keeps_a_time_provider_that_is_already_registered()
    {
        var clock = SimulatedClouds.Clock();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddSimulatedCloud(Configuration([]));
        await using var provider = services.BuildServiceProvider();

        var cloud = provider.GetRequiredService<SimulatedCloudProvider>();
        var instance = (await cloud.LaunchAsync(SimulatedClouds.Request("us-east-1", SimulatedClouds.OnDemand("m5.large")))).Instance!;

        Assert.Equal(SimulatedClouds.Start, instance.LaunchedAt);
    }

    [Fact]
    public async Task AddSimulatedCloud_with_bad_options_fails_at_start_naming_them()
    {
        var section = Configuration(new() { ["BootDelay"] = "-00:00:05", ["VcpuQuota:gpu"] = "1" });
        await using var provider = new ServiceCollection().AddSimulatedCloud(section).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(ex.Failures, f => f.StartsWith("BootDelay:", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("VcpuQuota: unknown capacity type 'gpu'", StringComparison.Ordinal));
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}

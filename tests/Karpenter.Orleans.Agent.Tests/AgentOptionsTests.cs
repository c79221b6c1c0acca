namespace Karpenter.Orleans.Agent.Tests;

public sealed class AgentOptionsTests
{
    [Fact]
    public void Missing_settings_are_named()
    {
        var errors = new AgentOptions { TokenFile = "" }.Validate();

        Assert.Contains(errors, e => e.StartsWith("Agent:ClusterId is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:ServiceUrl is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:TokenFile is required", StringComparison.Ordinal));
    }

    [Fact]
    public void A_relative_or_non_http_service_url_is_refused()
    {
        var relative = new AgentOptions { ClusterId = "c1", ServiceUrl = new Uri("karpo", UriKind.Relative) }.Validate();
        var ftp = new AgentOptions { ClusterId = "c1", ServiceUrl = new Uri("ftp://karpo.example.com") }.Validate();

        Assert.Single(relative, e => e.Contains("must be an absolute http or https address", StringComparison.Ordinal));
        Assert.Single(ftp, e => e.Contains("'ftp://karpo.example.com/'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_kubeconfig_that_does_not_exist_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"karpo-missing-{Guid.NewGuid():N}.kubeconfig");

        var errors = new AgentOptions { ClusterId = "c1", ServiceUrl = new Uri("https://karpo.example.com"), Kubeconfig = path }.Validate();

        Assert.Equal([$"Agent:Kubeconfig '{path}' does not exist"], errors);
    }

    [Fact]
    public void Complete_settings_validate()
    {
        var errors = new AgentOptions { ClusterId = "c1", ServiceUrl = new Uri("http://127.0.0.1:5080") }.Validate();

        Assert.Empty(errors);
    }

    [Fact]
    public void Out_of_range_streaming_settings_are_named()
    {
        var errors = new AgentOptions
        {
            ClusterId = "c1",
            ServiceUrl = new Uri("http://127.0.0.1:5080"),
            BatchSize = 0,
            CommandPollInterval = TimeSpan.Zero,
            WatchTimeout = TimeSpan.FromDays(2),
        }.Validate();

        Assert.Contains(errors, e => e.StartsWith("Agent:BatchSize 0 must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:CommandPollInterval 00:00:00 must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:WatchTimeout 2.00:00:00 must be", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }
}

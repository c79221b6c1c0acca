using Karpenter.Orleans.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>Storage options fail early, naming the configuration key to set, and never echo a connection string.</summary>
public sealed class KarpoStorageOptionsTests
{
    private readonly KarpoStorageOptionsValidator _validator = new();

    [Fact]
    public void PostgreSql_without_a_connection_string_names_the_key()
    {
        var result = _validator.Validate(null, new KarpoStorageOptions { Provider = StorageProvider.PostgreSql });

        Assert.True(result.Failed);
        Assert.Contains("Karpo:Storage:ConnectionString", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AddKarpoStorage_refuses_invalid_options_before_the_silo_starts()
    {
        var host = Host.CreateApplicationBuilder();

        var error = Assert.Throws<OptionsValidationException>(() =>
            host.UseOrleans(silo => silo.AddKarpoStorage(new KarpoStorageOptions { Provider = StorageProvider.PostgreSql })));

        Assert.Contains("Karpo:Storage:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_connection_string_is_reported_without_its_content()
    {
        var result = _validator.Validate(null, new KarpoStorageOptions
        {
            Provider = StorageProvider.PostgreSql,
            ConnectionString = "Host=db;Password=hunter2-secret;Bogus Keyword=1",
        });

        Assert.True(result.Failed);
        Assert.DoesNotContain("hunter2-secret", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StorageProvider.Memory, null)]
    [InlineData(StorageProvider.Sqlite, null)]
    [InlineData(StorageProvider.Sqlite, "Data Source=/tmp/x.db")]
    [InlineData(StorageProvider.PostgreSql, "Host=db;Database=orleans;Username=orleans;Password=p")]
    public void Valid_options_pass(StorageProvider provider, string? connectionString)
    {
        var result = _validator.Validate(null, new KarpoStorageOptions { Provider = provider, ConnectionString = connectionString });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Sqlite_without_a_path_names_the_key()
    {
        var result = _validator.Validate(null, new KarpoStorageOptions { Provider = StorageProvider.Sqlite, SqlitePath = " " });

        Assert.Contains("Karpo:Storage:SqlitePath", result.FailureMessage, StringComparison.Ordinal);
    }
}

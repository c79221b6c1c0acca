using Karpenter.Orleans.Service.Tests.TestGrains;
using Karpenter.Orleans.Storage;

namespace Karpenter.Orleans.Service.Tests.Storage;

/// <summary>
/// Production storage on PostgreSQL: ADO.NET clustering, grain state and reminders, each test
/// in its own schema (so also proving the schema is applied before any provider starts).
/// Needs KARPO_TEST_POSTGRES (scripts/test.sh sets it); fails without it.
/// </summary>
public sealed class PostgreSqlStorageTests
{
    [Fact]
    public async Task State_written_before_a_restart_is_read_back()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var options = Options(schema);
        var serviceId = await StorageTestClusters.WriteRestartAndReadBackAsync(options, "pg");

        Assert.Equal([3], await schema.QueryAsync<int>($"SELECT Version FROM OrleansStorage WHERE ServiceId = '{serviceId}'"));
    }

    [Fact]
    public async Task Two_silos_join_through_the_membership_table()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var clusterId = StorageTestClusters.UniqueId("pg-cluster");

        await using var cluster = await StorageTestClusters.StartAsync(Options(schema), StorageTestClusters.UniqueId("pg-svc"), clusterId, silos: 2);

        // 3 = SiloStatus.Active; the table version counts every membership change.
        var statuses = await schema.QueryAsync<int>($"SELECT Status FROM OrleansMembershipTable WHERE DeploymentId = '{clusterId}'");
        Assert.Equal([3, 3], statuses);
        Assert.True((await schema.QueryAsync<int>($"SELECT Version FROM OrleansMembershipVersionTable WHERE DeploymentId = '{clusterId}'")).Single() >= 2);
        Assert.Equal(1, await cluster.Client.GetGrain<IStorageProbeGrain>("joined").RecordAsync("via gateway", 1));
    }

    [Fact]
    public async Task Reminders_are_stored_read_and_deleted()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var serviceId = StorageTestClusters.UniqueId("pg-svc");

        await using var cluster = await StorageTestClusters.StartAsync(Options(schema), serviceId, StorageTestClusters.UniqueId("pg-cluster"));
        var grain = cluster.Client.GetGrain<IStorageProbeGrain>("reminded");

        await grain.RegisterReminderAsync("disruption-check");
        Assert.True(await grain.HasReminderAsync("disruption-check"));
        Assert.Equal(
            ["disruption-check"],
            await schema.QueryAsync<string>($"SELECT ReminderName::text FROM OrleansRemindersTable WHERE ServiceId = '{serviceId}'"));

        await grain.UnregisterReminderAsync("disruption-check");
        Assert.False(await grain.HasReminderAsync("disruption-check"));
        Assert.Empty(await schema.QueryAsync<string>($"SELECT ReminderName::text FROM OrleansRemindersTable WHERE ServiceId = '{serviceId}'"));
    }

    private static KarpoStorageOptions Options(PostgresTestSchema schema) =>
        new() { Provider = StorageProvider.PostgreSql, ConnectionString = schema.ConnectionString };
}

namespace Karpenter.Orleans.Service.Tests.TestGrains;

/// <summary>A grain whose only job is to prove that its persistent state and reminders survive.</summary>
public interface IStorageProbeGrain : IGrainWithStringKey
{
    /// <summary>Adds one to the count, remembers the note, writes the state; returns the new count.</summary>
    Task<int> RecordAsync(string note, int cpu);

    /// <summary>The state as the grain holds it.</summary>
    Task<StorageProbeState> GetAsync();

    /// <summary>Registers (or updates) a reminder an hour away, so it never fires during a test.</summary>
    Task RegisterReminderAsync(string name);

    /// <summary>Whether the reminder service knows the reminder.</summary>
    Task<bool> HasReminderAsync(string name);

    /// <summary>Removes the reminder.</summary>
    Task UnregisterReminderAsync(string name);
}

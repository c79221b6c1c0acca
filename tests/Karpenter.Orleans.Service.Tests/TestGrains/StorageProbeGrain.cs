using Karpenter.Orleans.Storage;

namespace Karpenter.Orleans.Service.Tests.TestGrains;

/// <summary>Keeps <see cref="StorageProbeState"/> in the project's grain storage ("karpo").</summary>
public sealed class StorageProbeGrain(
    [PersistentState("storage-probe", KarpoStorageOptions.GrainStorageName)] IPersistentState<StorageProbeState> state)
    : Grain, IStorageProbeGrain, IRemindable
{
    async Task<int> IStorageProbeGrain.RecordAsync(string note, int cpu)
    {
        state.State.Count++;
        state.State.Notes.Add(note);
        state.State.Last = new StorageProbeEntry(note, cpu);
        await state.WriteStateAsync();
        return state.State.Count;
    }

    Task<StorageProbeState> IStorageProbeGrain.GetAsync() => Task.FromResult(state.State);

    Task IStorageProbeGrain.RegisterReminderAsync(string name) =>
        this.RegisterOrUpdateReminder(name, TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    async Task<bool> IStorageProbeGrain.HasReminderAsync(string name) => await this.GetReminder(name) is not null;

    async Task IStorageProbeGrain.UnregisterReminderAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    Task IRemindable.ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}

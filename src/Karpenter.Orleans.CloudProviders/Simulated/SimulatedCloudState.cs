namespace Karpenter.Orleans.CloudProviders.Simulated;

/// <summary>What the state file holds: enough to carry instances, tokens and undelivered events over a restart.</summary>
internal sealed class SimulatedCloudState
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    /// <summary>Instances ever made; the next instance id is derived from it.</summary>
    public long InstancesCreated { get; set; }

    /// <summary>Random per state file, mixed into instance ids (see SimulatedCloudProvider.NextId).</summary>
    public long Epoch { get; set; }

    public long LaunchCalls { get; set; }

    /// <summary>Position in the instance-id sequence (ahead of InstancesCreated only after an id collision).</summary>
    public long IdSequence { get; set; }

    public List<SimulatedInstanceRecord> Instances { get; set; } = [];

    /// <summary>"region/account/token" → instance id.</summary>
    public Dictionary<string, string> Tokens { get; set; } = [];

    /// <summary>Events made but not yet received, per region, oldest first.</summary>
    public Dictionary<string, List<CloudInterruption>> PendingEvents { get; set; } = [];

    /// <summary>Call faults set with FailCalls, shared by every process on the file; absent in files written before they existed.</summary>
    public List<SimulatedCallFault> CallFaults { get; set; } = [];
}

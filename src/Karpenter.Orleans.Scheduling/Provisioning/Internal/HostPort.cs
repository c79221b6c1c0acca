namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>A host port a pod binds; 0.0.0.0 (or ::) conflicts with every address.</summary>
internal readonly record struct HostPort(string Ip, int Port, string Protocol)
{
    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol &&
        (Ip == other.Ip || IsWildcard(Ip) || IsWildcard(other.Ip));

    private static bool IsWildcard(string ip) => ip is "" or "0.0.0.0" or "::";
}

using k8s.Models;

namespace Karpenter.Orleans.Scheduling.Provisioning.Internal;

/// <summary>A host port a pod binds; 0.0.0.0 (or ::) conflicts with every address.</summary>
internal readonly record struct HostPort(string Ip, int Port, string Protocol)
{
    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol &&
        (Ip == other.Ip || IsWildcard(Ip) || IsWildcard(other.Ip));

    /// <summary>The host ports a pod spec binds: its containers and its sidecars (restartable init containers).</summary>
    public static IEnumerable<HostPort> Of(V1PodSpec? spec)
    {
        foreach (var c in (spec?.InitContainers ?? []).Where(c => c.RestartPolicy == "Always").Concat(spec?.Containers ?? []))
        {
            foreach (var p in c.Ports ?? [])
            {
                if (p.HostPort is > 0)
                {
                    yield return new HostPort(p.HostIP ?? "", p.HostPort.Value, p.Protocol ?? "TCP");
                }
            }
        }
    }

    private static bool IsWildcard(string ip) => ip is "" or "0.0.0.0" or "::";
}

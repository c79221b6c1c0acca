namespace Karpenter.Orleans.Silo.Hosting;

/// <summary>How the silo finds its peers, section <see cref="Section"/>.</summary>
public sealed class KarpoHostingOptions
{
    public const string Section = "Karpo:Hosting";

    /// <summary>The default Orleans cluster id when Orleans:ClusterId is not set.</summary>
    public const string DefaultClusterId = "karpo";

    /// <summary>The default Orleans service id when Orleans:ServiceId is not set; grain state is keyed by it.</summary>
    public const string DefaultServiceId = "karpenter-orleans";

    /// <summary>Running in a Kubernetes pod: take silo name, addresses and cluster id from the pod (UseKubernetesHosting).</summary>
    public bool Kubernetes { get; set; }
}

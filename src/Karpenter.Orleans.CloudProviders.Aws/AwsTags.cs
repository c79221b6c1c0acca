namespace Karpenter.Orleans.CloudProviders.Aws;

/// <summary>The tags the provider puts on what it launches, with Karpenter's keys, so a Karpenter user's tooling and IAM conditions still match.</summary>
public static class AwsTags
{
    public const string NodePool = "karpenter.sh/nodepool";
    public const string NodeClaim = "karpenter.sh/nodeclaim";
    public const string NodeClass = "karpenter.k8s.aws/ec2nodeclass";
    public const string EksClusterName = "eks:eks-cluster-name";
    public const string Name = "Name";

    /// <summary>The idempotency token of the launch, so a retried launch after a crash finds the instance it made.</summary>
    public const string ClientToken = "karpo.io/client-token";

    /// <summary><c>kubernetes.io/cluster/&lt;cluster&gt;</c> = <c>owned</c>.</summary>
    public static string ClusterOwnership(string clusterId) => $"kubernetes.io/cluster/{clusterId}";

    /// <summary>The provider id a node's <c>spec.providerID</c> carries: <c>aws:///&lt;zone&gt;/&lt;instance-id&gt;</c>.</summary>
    public static string ProviderId(string zone, string instanceId) => $"aws:///{zone}/{instanceId}";
}

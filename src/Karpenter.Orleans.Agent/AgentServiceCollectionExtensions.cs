using Karpenter.Orleans.Agent.Kubernetes;
using Karpenter.Orleans.Agent.Service;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Karpenter.Orleans.Agent;

/// <summary>
/// Registers the agent: its options, the cluster's Kubernetes client, the service client, what carries the
/// service's decisions out in the cluster (commands, NodeClaim objects, NodePool conditions and Events), the
/// leader Lease, and the <see cref="AgentWorker"/>. Each part is added only when none is registered yet, so a
/// host (or a test) can put its own in first.
/// </summary>
public static class AgentServiceCollectionExtensions
{
    /// <summary>The setting that turns leader election off for a single replica (see <see cref="SingleReplicaLeadership"/>).</summary>
    public const string LeaderElectionEnabledKey = AgentOptions.Section + ":LeaderElection:Enabled";

    public static IServiceCollection AddKarpoAgent(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(AgentOptions.Section).Get<AgentOptions>() ?? new AgentOptions();
        services.AddSingleton(options);
        services.AddSingleton(Options.Create(options));
        services.AddOptions<LeaseLeadershipOptions>().Bind(configuration.GetSection(LeaseLeadershipOptions.Section));
        services.TryAddSingleton(_ => new k8s.Kubernetes(AgentKubernetes.Configuration(options)));
        services.TryAddSingleton<k8s.IKubernetes>(sp => sp.GetRequiredService<k8s.Kubernetes>());
        services.TryAddSingleton(sp => new KarpoServiceClient(options, sp.GetRequiredService<ILogger<KarpoServiceClient>>()));
        services.TryAddSingleton<KubernetesEvents>();
        services.TryAddSingleton<IClusterCommandHandler, CommandHandler>();
        services.TryAddSingleton<INodeClaimReconciler, NodeClaimReconciler>();
        services.TryAddSingleton<IClusterFeedback, ClusterFeedback>();
        if (configuration.GetValue(LeaderElectionEnabledKey, defaultValue: true))
        {
            services.TryAddSingleton<IAgentLeadership, LeaseLeadership>();
        }
        else
        {
            services.TryAddSingleton<IAgentLeadership, SingleReplicaLeadership>();
        }

        services.AddSingleton<AgentWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentWorker>());
        return services;
    }
}

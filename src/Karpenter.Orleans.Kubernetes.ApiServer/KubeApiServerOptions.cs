namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>Settings of a <see cref="KubeApiServer"/>.</summary>
public sealed class KubeApiServerOptions
{
    /// <summary>
    /// Bearer tokens the server accepts. Empty: every request is let in, as with anonymous
    /// access; otherwise a request without one of these tokens gets 401 Unauthorized.
    /// </summary>
    public IList<string> BearerTokens { get; } = [];

    /// <summary>
    /// How many changes the watch history keeps. A watch or continue token from before the oldest
    /// kept change gets 410 Gone (Expired), like a compacted etcd.
    /// </summary>
    public int HistoryLimit { get; set; } = 10_000;

    /// <summary>How often watches that allow bookmarks get a BOOKMARK; the real server sends about one a minute.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of creation and deletion timestamps.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// When true, deleting or evicting a pod bound to a node only marks it terminating
    /// (deletionTimestamp and deletionGracePeriodSeconds from the request or the pod's
    /// terminationGracePeriodSeconds, 30 s by default) until a delete with gracePeriodSeconds 0,
    /// as a kubelet sends, removes it. False (the default): pods go at once, there being no kubelet.
    /// </summary>
    public bool GracefulPodDeletion { get; set; }

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }
}

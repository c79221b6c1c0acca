namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>A small cluster to consolidate, on <see cref="CliFixtures.Catalog"/>: two NodePools' nodes, one empty.</summary>
internal static class ConsolidationFixtures
{
    public const string Now = "2026-12-07T12:00:00Z";

    /// <summary>
    /// NodePools general and batch (budgets 100%, consolidateAfter 0s, so nothing but the nodes decides);
    /// general-empty holds only a DaemonSet pod; batch-pinned holds a do-not-disrupt pod; general-busy holds
    /// two pods; unmanaged has no NodePool label and no price; general-starting is empty but not Ready.
    /// </summary>
    public const string Cluster = """
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: general
        spec:
          disruption:
            consolidationPolicy: WhenEmptyOrUnderutilized
            consolidateAfter: 0s
            budgets:
              - nodes: "100%"
          template:
            spec:
              nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
        ---
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: batch
        spec:
          disruption:
            consolidationPolicy: WhenEmptyOrUnderutilized
            consolidateAfter: 0s
            budgets:
              - nodes: "100%"
          template:
            spec:
              nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: agent
          namespace: kube-system
        spec:
          selector:
            matchLabels: { app: agent }
          template:
            metadata:
              labels: { app: agent }
            spec:
              tolerations: [ { operator: Exists } ]
              containers:
                - name: agent
                  image: agent
                  resources: { requests: { cpu: 50m, memory: 64Mi } }
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: general-empty
          creationTimestamp: "2026-12-01T00:00:00Z"
          labels:
            karpenter.sh/nodepool: general
            node.kubernetes.io/instance-type: large.8x
            topology.kubernetes.io/zone: zone-a
            karpenter.sh/capacity-type: on-demand
            kubernetes.io/arch: amd64
        status:
          allocatable: { cpu: 7910m, memory: 29317Mi, pods: "58" }
          conditions:
            - { type: Ready, status: "True" }
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: agent-general-empty
          namespace: kube-system
          labels: { app: agent }
          ownerReferences:
            - { apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: ds-agent, controller: true }
        spec:
          nodeName: general-empty
          containers:
            - name: agent
              image: agent
              resources: { requests: { cpu: 50m, memory: 64Mi } }
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: batch-pinned
          creationTimestamp: "2026-12-01T00:00:00Z"
          labels:
            karpenter.sh/nodepool: batch
            node.kubernetes.io/instance-type: small.2x
            topology.kubernetes.io/zone: zone-a
            karpenter.sh/capacity-type: spot
            kubernetes.io/arch: amd64
        status:
          allocatable: { cpu: 1930m, memory: 6903Mi, pods: "29" }
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: db-0
          annotations: { karpenter.sh/do-not-disrupt: "true" }
        spec:
          nodeName: batch-pinned
          containers:
            - name: db
              image: db
              resources: { requests: { cpu: 500m, memory: 1Gi } }
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: general-busy
          creationTimestamp: "2026-12-01T00:00:00Z"
          labels:
            karpenter.sh/nodepool: general
            node.kubernetes.io/instance-type: large.8x
            topology.kubernetes.io/zone: zone-b
            karpenter.sh/capacity-type: on-demand
            kubernetes.io/arch: amd64
        status:
          allocatable: { cpu: 7910m, memory: 29317Mi, pods: "58" }
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: api-0
        spec:
          nodeName: general-busy
          containers:
            - name: api
              image: api
              resources: { requests: { cpu: "3", memory: 12Gi } }
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: api-1
        spec:
          nodeName: general-busy
          containers:
            - name: api
              image: api
              resources: { requests: { cpu: "3", memory: 12Gi } }
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: unmanaged
          creationTimestamp: "2026-12-01T00:00:00Z"
          labels:
            kubernetes.io/arch: amd64
            topology.kubernetes.io/zone: zone-a
        status:
          allocatable: { cpu: "2", memory: 4Gi, pods: "20" }
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: general-starting
          creationTimestamp: "2026-12-07T11:59:00Z"
          labels:
            karpenter.sh/nodepool: general
            node.kubernetes.io/instance-type: small.2x
            topology.kubernetes.io/zone: zone-b
            karpenter.sh/capacity-type: on-demand
            kubernetes.io/arch: amd64
        status:
          allocatable: { cpu: 1930m, memory: 6903Mi, pods: "29" }
          conditions:
            - { type: Ready, status: "False" }
        """;

    /// <summary>What the managed nodes of <see cref="Cluster"/> cost per hour by the catalog (the unmanaged one has no price).</summary>
    public const double ClusterPricePerHour = 0.384 + 0.035 + 0.384 + 0.096;

    /// <summary>Two on-demand large.8x nodes of one NodePool, each running one small pod with no labels: one node is enough.</summary>
    public const string TwoUnderutilized = """
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: general
        spec:
          disruption:
            consolidateAfter: 0s
            budgets:
              - nodes: "100%"
          template:
            spec:
              nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: general-1
          creationTimestamp: "2026-12-01T00:00:00Z"
          labels:
            karpenter.sh/nodepool: general
            node.kubernetes.io/instance-type: large.8x
            topology.kubernetes.io/zone: zone-a
            karpenter.sh/capacity-type: on-demand
        status:
          allocatable: { cpu: 7910m, memory: 29317Mi, pods: "58" }
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: general-2
          creationTimestamp: "2026-12-01T00:00:00Z"
          labels:
            karpenter.sh/nodepool: general
            node.kubernetes.io/instance-type: large.8x
            topology.kubernetes.io/zone: zone-a
            karpenter.sh/capacity-type: on-demand
        status:
          allocatable: { cpu: 7910m, memory: 29317Mi, pods: "58" }
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: plain-1
        spec:
          nodeName: general-1
          containers:
            - name: plain
              image: busybox
              resources: { requests: { cpu: 300m, memory: 1Gi } }
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: plain-2
        spec:
          nodeName: general-2
          containers:
            - name: plain
              image: busybox
              resources: { requests: { cpu: 300m, memory: 1Gi } }
        """;

    /// <summary>One managed node alone, with <paramref name="labels"/> as its label lines (8 spaces of indent).</summary>
    public static string OneNode(string labels) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: filler
        spec:
          containers:
            - name: filler
              image: busybox
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: odd-node
          labels:
        {labels}
        status:
          allocatable: {"{"} cpu: "2", memory: 4Gi, pods: "20" {"}"}
        """;
}

namespace Karpenter.Orleans.Scheduling.Tests.Cli;

/// <summary>Small catalog and manifests in the contract's formats.</summary>
internal static class CliFixtures
{
    public const string Catalog = """
        {
          "zones": ["zone-a", "zone-b"],
          "instanceTypes": [
            {
              "name": "small.2x",
              "labels": { "kubernetes.io/arch": "amd64", "karpenter.k8s.aws/instance-family": "small" },
              "capacity": { "cpu": "2", "memory": "8Gi", "pods": "29" },
              "allocatable": { "cpu": "1930m", "memory": "6903Mi", "pods": "29" },
              "offerings": [
                { "zone": "zone-a", "capacityType": "on-demand", "price": 0.096, "available": true },
                { "zone": "zone-b", "capacityType": "on-demand", "price": 0.096, "available": true },
                { "zone": "zone-a", "capacityType": "spot", "price": 0.035, "available": true }
              ],
              "onDemandPricePerHour": 0.096
            },
            {
              "name": "large.8x",
              "labels": { "kubernetes.io/arch": "amd64", "karpenter.k8s.aws/instance-family": "large" },
              "capacity": { "cpu": "8", "memory": "32Gi", "pods": "58" },
              "allocatable": { "cpu": "7910m", "memory": "29317Mi", "pods": "58" },
              "offerings": [
                { "zone": "zone-a", "capacityType": "on-demand", "price": 0.384, "available": true },
                { "zone": "zone-b", "capacityType": "on-demand", "price": 0.384, "available": true }
              ],
              "onDemandPricePerHour": 0.384
            }
          ]
        }
        """;

    /// <summary>A NodePool, a Deployment of 3, a pod too big for any type, and a Node with a bound pod.</summary>
    public const string Manifests = """
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: general
        spec:
          template:
            spec:
              nodeClassRef:
                group: karpenter.k8s.aws
                kind: EC2NodeClass
                name: default
              requirements:
                - key: kubernetes.io/arch
                  operator: In
                  values: ["amd64"]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx
                  resources:
                    requests:
                      cpu: 500m
                      memory: 512Mi
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: big
        spec:
          containers:
            - name: big
              image: busybox
              resources:
                requests:
                  cpu: "64"
                  memory: 1Gi
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: node-1
          labels:
            kubernetes.io/arch: amd64
            topology.kubernetes.io/zone: zone-a
        status:
          allocatable:
            cpu: "1"
            memory: 2Gi
            pods: "10"
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: api-0
        spec:
          nodeName: node-1
          containers:
            - name: api
              image: api
              resources:
                requests:
                  cpu: 250m
                  memory: 256Mi
        """;

    public const string OnePod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: solo
          namespace: team-a
        spec:
          containers:
            - name: solo
              image: busybox
              resources:
                requests:
                  cpu: 100m
                  memory: 128Mi
        """;
}

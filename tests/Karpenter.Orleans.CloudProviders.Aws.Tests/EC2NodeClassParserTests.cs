using Karpenter.Orleans.CloudProviders.Aws.NodeClasses;
using Karpenter.Orleans.Scheduling.Manifests;

namespace Karpenter.Orleans.CloudProviders.Aws.Tests;

/// <summary>An EC2NodeClass manifest reads into the model with Karpenter's defaults, and each bad field is reported where it is.</summary>
public sealed class EC2NodeClassParserTests
{
    private const string Good = """
        apiVersion: karpenter.sh/v1
        kind: NodePool
        metadata:
          name: default
        ---
        apiVersion: karpenter.k8s.aws/v1
        kind: EC2NodeClass
        metadata:
          name: default
        spec:
          role: KarpenterNodeRole-demo
          amiSelectorTerms:
            - alias: al2023@latest
          subnetSelectorTerms:
            - tags:
                karpenter.sh/discovery: demo
            - id: subnet-0123abcd
          securityGroupSelectorTerms:
            - tags:
                karpenter.sh/discovery: "*"
            - name: default
          userData: |
            echo hello
          blockDeviceMappings:
            - deviceName: /dev/xvda
              rootVolume: true
              ebs:
                volumeSize: 100Gi
                volumeType: gp3
                encrypted: true
                iops: 3000
                throughput: 125
          metadataOptions:
            httpPutResponseHopLimit: 2
          tags:
            team: data
          kubelet:
            maxPods: 58
        """;

    [Fact]
    public void A_good_manifest_reads_with_the_crd_defaults()
    {
        var (nodeClass, document) = Assert.Single(EC2NodeClassManifests.Read("nodeclass.yaml", Good));

        Assert.Equal("default", nodeClass.Name);
        Assert.Equal("AL2023", nodeClass.AmiFamily);
        Assert.Equal("al2023@latest", Assert.Single(nodeClass.AmiSelectorTerms).Alias);
        Assert.Equal("demo", nodeClass.SubnetSelectorTerms[0].Tags["karpenter.sh/discovery"]);
        Assert.Equal("subnet-0123abcd", nodeClass.SubnetSelectorTerms[1].Id);
        Assert.Equal("default", nodeClass.SecurityGroupSelectorTerms[1].Name);
        Assert.Equal("KarpenterNodeRole-demo", nodeClass.Role);
        Assert.Null(nodeClass.InstanceProfile);
        Assert.Equal("echo hello\n", nodeClass.UserData);
        var device = Assert.Single(nodeClass.BlockDeviceMappings);
        Assert.True(device.RootVolume);
        Assert.Equal(new EbsVolume(100, "gp3", true, null, 3000, 125, null, null), device.Ebs);
        Assert.Equal(new MetadataOptions("enabled", "disabled", 2, "required"), nodeClass.MetadataOptions);
        Assert.Equal("data", nodeClass.Tags["team"]);
        Assert.Equal(58, nodeClass.MaxPods);
        Assert.Equal(("EC2NodeClass", "default"), (document.Kind, document.Name));
        var again = EC2NodeClassParser.Parse(document);
        Assert.Equal((nodeClass.Name, nodeClass.Role, nodeClass.MaxPods, nodeClass.MetadataOptions), (again.Name, again.Role, again.MaxPods, again.MetadataOptions));
        Assert.Equal(nodeClass.BlockDeviceMappings, again.BlockDeviceMappings);
        Assert.Equal(nodeClass.Tags, again.Tags);
    }

    [Fact]
    public void A_volume_size_in_other_units_rounds_up_to_whole_gibibytes()
    {
        var nodeClass = ParseOne(Good.Replace("volumeSize: 100Gi", "volumeSize: 20G", StringComparison.Ordinal));

        Assert.Equal(19, nodeClass.BlockDeviceMappings[0].Ebs!.VolumeSizeGiB);
    }

    [Fact]
    public void Without_metadata_options_the_node_class_gets_imdsv2_with_one_hop()
    {
        var nodeClass = ParseOne(Good.Replace("  metadataOptions:\n    httpPutResponseHopLimit: 2\n", "", StringComparison.Ordinal));

        Assert.Equal(MetadataOptions.Default, nodeClass.MetadataOptions);
    }

    [Theory]
    [InlineData("    - id: subnet-0123abcd\n", "    - {}\n", "spec.subnetSelectorTerms[1]: a term needs tags or id")]
    [InlineData("    - id: subnet-0123abcd\n", "    - id: vpc-1\n", "spec.subnetSelectorTerms[1].id: \"vpc-1\" is not an id like subnet-")]
    [InlineData("    - name: default\n", "    - id: sg-1\n      name: default\n", "spec.securityGroupSelectorTerms[1]: id cannot be combined with tags or name")]
    [InlineData("    - alias: al2023@latest\n", "    - alias: ubuntu@latest\n", "spec.amiSelectorTerms[0].alias: \"ubuntu@latest\" is not family@version")]
    [InlineData("    - alias: al2023@latest\n", "    - alias: al2023@latest\n    - id: ami-1\n", "spec.amiSelectorTerms: an alias term must be the only term")]
    [InlineData("    - alias: al2023@latest\n", "    - owner: amazon\n", "spec.amiSelectorTerms[0]: a term needs alias, tags, id or name")]
    [InlineData("  role: KarpenterNodeRole-demo\n", "  role: r\n  instanceProfile: p\n", "spec: exactly one of role or instanceProfile is required")]
    [InlineData("  role: KarpenterNodeRole-demo\n", "", "spec: exactly one of role or instanceProfile is required")]
    [InlineData("    team: data\n", "    karpenter.sh/nodepool: x\n", "spec.tags[karpenter.sh/nodepool]: the tag karpenter.sh/nodepool is set by Karpenter")]
    [InlineData("    team: data\n", "    kubernetes.io/cluster/demo: owned\n", "spec.tags[kubernetes.io/cluster/demo]: tag keys under kubernetes.io/cluster/")]
    [InlineData("volumeSize: 100Gi", "volumeSize: lots", "spec.blockDeviceMappings[0].ebs.volumeSize: \"lots\" is not a Kubernetes quantity")]
    [InlineData("volumeSize: 100Gi", "volumeSize: 100Ti", "spec.blockDeviceMappings[0].ebs.volumeSize: \"100Ti\" is outside 1Gi to 64Ti")]
    [InlineData("volumeType: gp3", "volumeType: gp9", "spec.blockDeviceMappings[0].ebs.volumeType: \"gp9\" is not one of")]
    [InlineData("deviceName: /dev/xvda", "deviceName: \"\"", "spec.blockDeviceMappings[0].deviceName: required")]
    [InlineData("httpPutResponseHopLimit: 2", "httpPutResponseHopLimit: 65", "spec.metadataOptions.httpPutResponseHopLimit: 65 is outside 1 to 64")]
    [InlineData("httpPutResponseHopLimit: 2", "httpTokens: sometimes", "spec.metadataOptions.httpTokens: \"sometimes\" is not one of required, optional")]
    [InlineData("maxPods: 58", "maxPods: many", "spec.kubelet.maxPods: \"many\" is not a whole number")]
    [InlineData("maxPods: 58", "podsPerCore: -1", "spec.kubelet.podsPerCore: -1 is outside")]
    [InlineData("maxPods: 58", "kubeReserved:\n      cpu: lots", "spec.kubelet.kubeReserved.cpu: \"lots\" is not a Kubernetes quantity")]
    [InlineData("maxPods: 58", "systemReserved:\n      gpu: \"1\"", "spec.kubelet.systemReserved.gpu: only cpu, memory, ephemeral-storage and pid can be reserved")]
    [InlineData("  userData: |\n", "  userdata: x\n  userData: |\n", "spec.userdata: unknown field")]
    public void A_bad_field_is_named_with_the_file_document_and_object(string replace, string with, string expected)
    {
        var text = Good.Replace(replace, with, StringComparison.Ordinal);
        Assert.NotEqual(Good, text);

        var error = Assert.Throws<ManifestException>(() => EC2NodeClassManifests.Read("nodeclass.yaml", text));

        Assert.StartsWith($"nodeclass.yaml: document 2 (EC2NodeClass default): {expected}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_kubelet_settings_that_size_a_node_are_read()
    {
        var nodeClass = ParseOne(Good.Replace("    maxPods: 58", "    maxPods: 110\n    podsPerCore: 10\n    kubeReserved:\n      cpu: 250m\n      memory: 1Gi\n    systemReserved:\n      memory: 200Mi\n      ephemeral-storage: 2Gi", StringComparison.Ordinal));

        var kubelet = Assert.IsType<KubeletConfiguration>(nodeClass.Kubelet);
        Assert.Equal((110, 10), (kubelet.MaxPods, kubelet.PodsPerCore));
        Assert.Equal(new Dictionary<string, long> { ["cpu"] = 250, ["memory"] = 1L << 30 }, kubelet.KubeReserved);
        Assert.Equal(new Dictionary<string, long> { ["memory"] = 200L << 20, ["ephemeral-storage"] = 2L << 30 }, kubelet.SystemReserved);
        Assert.Equal(110, nodeClass.MaxPods);
    }

    [Fact]
    public void Without_an_alias_the_ami_family_is_required()
    {
        var text = Good.Replace("    - alias: al2023@latest\n", "    - name: my-image-*\n", StringComparison.Ordinal);

        var error = Assert.Throws<ManifestException>(() => EC2NodeClassManifests.Read("nodeclass.yaml", text));

        Assert.Equal("spec.amiFamily", error.Field);
        Assert.Equal("Custom", ParseOne(text.Replace("spec:\n", "spec:\n  amiFamily: Custom\n", StringComparison.Ordinal)).AmiFamily);
    }

    [Fact]
    public void A_document_from_a_cluster_is_named_by_its_object_in_errors()
    {
        var document = new NodeClassDocument(EC2NodeClass.ApiVersion, EC2NodeClass.KindName, "gpu",
            """{"apiVersion":"karpenter.k8s.aws/v1","kind":"EC2NodeClass","metadata":{"name":"gpu"},"spec":{"role":"r","amiSelectorTerms":[{"alias":"al2023@latest"}],"securityGroupSelectorTerms":[{"name":"default"}]}}""");

        var error = Assert.Throws<ManifestException>(() => EC2NodeClassParser.Parse(document));

        Assert.Equal("EC2NodeClass gpu: spec.subnetSelectorTerms: at least one term is required", error.Message);
    }

    private static EC2NodeClass ParseOne(string text) => Assert.Single(EC2NodeClassManifests.Read("nodeclass.yaml", text)).NodeClass;
}

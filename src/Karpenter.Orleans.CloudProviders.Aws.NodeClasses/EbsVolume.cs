namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>The <c>ebs</c> of a block device mapping. <see cref="VolumeSizeGiB"/> is the Kubernetes quantity rounded up to whole GiB, as EC2 takes it.</summary>
public sealed record EbsVolume(
    int? VolumeSizeGiB,
    string? VolumeType,
    bool? Encrypted,
    bool? DeleteOnTermination,
    int? Iops,
    int? Throughput,
    string? KmsKeyId,
    string? SnapshotId);

namespace Karpenter.Orleans.CloudProviders.Aws.NodeClasses;

/// <summary>One <c>blockDeviceMappings</c> entry; <see cref="RootVolume"/> marks the device the AMI boots from.</summary>
public sealed record BlockDeviceMapping(string DeviceName, EbsVolume? Ebs, bool RootVolume);

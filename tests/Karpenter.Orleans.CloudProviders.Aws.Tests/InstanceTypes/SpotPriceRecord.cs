namespace Karpenter.Orleans.CloudProviders.Aws.Tests.InstanceTypes;

/// <summary>One DescribeSpotPriceHistory record as EC2 sends it (the price is a string).</summary>
internal sealed record SpotPriceRecord(string InstanceType, string Zone, string Price, DateTimeOffset At, string ProductDescription = "Linux/UNIX");

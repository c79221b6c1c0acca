namespace Karpenter.Orleans.CloudProviders.Aws.Instances;

/// <summary>
/// EC2 refused a launch in a region for want of permission (<c>UnauthorizedOperation</c> and its kin): which call,
/// EC2's code and message, when, and until when launches in the region are refused without asking EC2 again.
/// </summary>
public sealed record AwsLaunchRefusal(string Region, string Action, string Code, string Message, DateTimeOffset At, DateTimeOffset Until);

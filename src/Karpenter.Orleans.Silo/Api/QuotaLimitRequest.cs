using System.Text.Json.Serialization;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>The body of <c>PUT /api/v1/quotas/{provider}/{account}/{region}/{quotaCode}</c>: the quota's vCPU limit.</summary>
public sealed record QuotaLimitRequest([property: JsonRequired] int? Vcpus);

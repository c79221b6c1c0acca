using System.Text.Json.Serialization;

namespace Karpenter.Orleans.Silo.Api;

/// <summary>Source-generated JSON for <see cref="ListPaging"/>'s continue tokens.</summary>
[JsonSerializable(typeof(ListPaging.Token))]
internal sealed partial class TokenJson : JsonSerializerContext;

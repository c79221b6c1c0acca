namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// One cause of a 422 Invalid answer, as kube-apiserver lists it in <c>details.causes</c>:
/// the reason (FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueTypeInvalid,
/// FieldValueTooLong, FieldValueTooMany, FieldValueForbidden), the field path and the message.
/// </summary>
/// <param name="Reason">The cause type, e.g. FieldValueRequired.</param>
/// <param name="Field">The field path, e.g. spec.template.spec.nodeClassRef.</param>
/// <param name="Message">What is wrong, e.g. Required value.</param>
internal sealed record FieldError(string Reason, string Field, string Message);

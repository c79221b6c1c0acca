namespace Karpenter.Orleans.Kubernetes.ApiServer;

/// <summary>
/// The fieldValidation query parameter of a write: what the server does with fields a custom
/// resource's schema does not declare. Warn is the server's default; kubectl sends Strict.
/// </summary>
internal enum FieldValidation
{
    /// <summary>Drop unknown fields silently.</summary>
    Ignore,

    /// <summary>Drop unknown fields and name each in a Warning response header.</summary>
    Warn,

    /// <summary>Refuse the write (400) naming the unknown fields.</summary>
    Strict,
}

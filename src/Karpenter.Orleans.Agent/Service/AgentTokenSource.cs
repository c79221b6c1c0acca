namespace Karpenter.Orleans.Agent.Service;

/// <summary>
/// The cluster's agent token from <see cref="AgentOptions.TokenFile"/>, re-read when the file changes (a rotated
/// Secret) or after the service refused it. The token itself is never logged or put in an exception message.
/// </summary>
internal sealed class AgentTokenSource(string path)
{
    private readonly Lock _lock = new();
    private string? _token;
    private DateTime _writtenAt;
    private long _length = -1;

    public string Path => path;

    /// <summary>The current token; throws naming the file when it is missing or empty.</summary>
    public string Current()
    {
        var file = new FileInfo(path);
        lock (_lock)
        {
            file.Refresh();
            if (!file.Exists)
            {
                throw new InvalidOperationException($"{AgentOptions.Section}:TokenFile '{path}' does not exist");
            }

            if (_token is null || file.LastWriteTimeUtc != _writtenAt || file.Length != _length)
            {
                var token = File.ReadAllText(path).Trim();
                if (token.Length == 0)
                {
                    throw new InvalidOperationException($"{AgentOptions.Section}:TokenFile '{path}' is empty");
                }

                _token = token;
                _writtenAt = file.LastWriteTimeUtc;
                _length = file.Length;
            }

            return _token;
        }
    }

    /// <summary>Forgets the cached token so the next request reads the file again (after a 401).</summary>
    public void Invalidate()
    {
        lock (_lock)
        {
            _token = null;
        }
    }
}

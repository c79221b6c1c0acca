using System.Net;
using System.Net.Sockets;

namespace Karpenter.Orleans.Fault.Tests;

/// <summary>
/// A loopback TCP proxy between the silos and PostgreSQL that the test can cut (every connection dropped,
/// new ones refused, as when the database host goes away) and restore on the same port.
/// </summary>
internal sealed class TcpCutProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _connections = [];
    private TcpListener? _listener;
    private CancellationTokenSource _cut = new();

    public TcpCutProxy(string targetHost, int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Parse(targetHost == "localhost" ? "127.0.0.1" : targetHost), targetPort);
        Port = FreePorts.Next();
        Listen();
    }

    public int Port { get; }

    /// <summary>Drops every connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        lock (_gate)
        {
            _listener?.Stop();
            _listener = null;
            _cut.Cancel();
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    public void Restore()
    {
        lock (_gate)
        {
            _cut = new CancellationTokenSource();
        }

        Listen();
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }

    private void Listen()
    {
        TcpListener listener;
        CancellationToken token;
        lock (_gate)
        {
            listener = new TcpListener(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            token = _cut.Token;
        }

        _ = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = PipeAsync(client, token);
            }
        }, token);
    }

    private async Task PipeAsync(TcpClient client, CancellationToken token)
    {
        var server = new TcpClient();
        lock (_gate)
        {
            _connections.Add(client);
            _connections.Add(server);
        }

        try
        {
            await server.ConnectAsync(_target, token);
            var up = client.GetStream().CopyToAsync(server.GetStream(), token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), token);
            await Task.WhenAny(up, down);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Cut, or one side closed.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
            lock (_gate)
            {
                _connections.Remove(client);
                _connections.Remove(server);
            }
        }
    }
}

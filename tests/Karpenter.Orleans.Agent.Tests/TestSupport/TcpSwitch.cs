using System.Net;
using System.Net.Sockets;

namespace Karpenter.Orleans.Agent.Tests.TestSupport;

/// <summary>
/// A TCP relay the agent reaches the service through: switched off, it drops every open connection and refuses
/// new ones (the service is unreachable, as behind a failed load balancer); switched on, it relays again.
/// </summary>
public sealed class TcpSwitch : IAsyncDisposable
{
    private readonly int _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    public TcpSwitch(int target)
    {
        _target = target;
        // Bound to port 0 and kept: a port picked free and bound later can be taken in between by another
        // test's outgoing connection (seen as "Address already in use").
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _listener = listener;
        _accepting = Task.Run(() => AcceptAsync(listener));
    }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public void On()
    {
        lock (_lock)
        {
            if (_listener is not null)
            {
                return;
            }

            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Start();
            var listener = _listener;
            _accepting = Task.Run(() => AcceptAsync(listener));
        }
    }

    public void Off()
    {
        lock (_lock)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var client in _open)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Off();
        await _stopping.CancelAsync();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(inbound));
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        lock (_lock)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }

        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, _stopping.Token);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stopping.Token), b.CopyToAsync(a, _stopping.Token));
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Switched off, or one side closed.
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
            }

            inbound.Dispose();
            outbound.Dispose();
        }
    }
}

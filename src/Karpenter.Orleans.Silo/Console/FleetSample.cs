namespace Karpenter.Orleans.Silo.Console;

/// <summary>One point of a console chart: cost in $/h, nodes and pending pods at a moment.</summary>
internal sealed record FleetSample(DateTimeOffset At, double PricePerHour, int Nodes, int PendingPods);

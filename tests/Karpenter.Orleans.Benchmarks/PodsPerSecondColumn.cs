using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>Pods per second of the mean solve, so results read against Karpenter's published pods/s.</summary>
public sealed class PodsPerSecondColumn : IColumn
{
    public string Id => nameof(PodsPerSecondColumn);

    public string ColumnName => "Pods/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Pods solved per second (pods / mean time of one Solve)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var pods = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<PodCountAttribute>()?.Pods;
        var meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return pods is null || meanNs is null or <= 0
            ? "-"
            : (pods.Value / (meanNs.Value / 1e9)).ToString("N0", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}

using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Karpenter.Orleans.Benchmarks;

/// <summary>Manifest megabytes (10^6 bytes of ASCII text) read per second by the mean run, the manifest reader's figure in docs/benchmarks.md.</summary>
public sealed class MegabytesPerSecondColumn : IColumn
{
    public string Id => nameof(MegabytesPerSecondColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Manifest MB read per second (input size / mean time of one load)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var input = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<ManifestInputAttribute>();
        var meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (input is null || meanNs is null or <= 0)
        {
            return "-";
        }

        var megabytes = ManifestInput.Text(input.Format, input.Pods).Length / 1e6;
        return (megabytes / (meanNs.Value / 1e9)).ToString("N1", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}

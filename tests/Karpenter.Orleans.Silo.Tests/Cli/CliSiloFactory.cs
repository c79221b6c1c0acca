using System.Runtime.CompilerServices;
using Karpenter.Orleans.Silo.Tests.TestSupport;

namespace Karpenter.Orleans.Silo.Tests.Cli;

/// <summary>
/// The test silo for the CLI tests. It writes its karpo client config (by default it only does when it generated
/// its tokens), and it is given the instance-type catalog by absolute path: the simulated cloud otherwise looks for
/// it above the test binaries, which are not inside the checkout when built with --artifacts-path elsewhere.
/// </summary>
public sealed class CliSiloFactory : KarpoSiloFactory
{
    public CliSiloFactory()
        : base(new Dictionary<string, string?>
        {
            ["Karpo:Auth:WriteClientConfig"] = "true",
            ["Karpo:SimulatedCloud:CatalogPath"] = Path.Combine(RepositoryRoot(), "data", "aws-us-east-1-instance-types.json"),
        })
    {
    }

    // The compiler records this file's path, which lies inside the checkout wherever the binaries end up.
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(sourceFile)!); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Karpenter.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Karpenter.Orleans.sln above {sourceFile}");
    }
}

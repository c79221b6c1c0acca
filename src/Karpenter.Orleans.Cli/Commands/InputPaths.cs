namespace Karpenter.Orleans.Cli.Commands;

/// <summary>Checks paths up front so a typo gets a one-line message naming the path, whatever the loader would say.</summary>
internal static class InputPaths
{
    public static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{what} '{path}' not found", path);
        }
    }

    public static void RequireFileOrDirectory(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"'{path}': no such file or directory", path);
        }
    }
}

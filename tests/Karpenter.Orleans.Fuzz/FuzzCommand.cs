using System.Diagnostics;
using System.Globalization;
using SharpFuzz;

namespace Karpenter.Orleans.Fuzz;

/// <summary>
/// <c>karpo-fuzz afl TARGET</c> (under afl-fuzz), <c>run TARGET [--mutants N] [--seed S]</c> (the built-in
/// mutator), <c>replay TARGET FILE|FOLDER...</c> (triage) and <c>list</c>. docs/fuzzing.md has the walk-through.
/// </summary>
public static class FuzzCommand
{
    private const string Usage = "usage: karpo-fuzz list | afl TARGET | run TARGET [--mutants N] [--seed S] | replay TARGET FILE|FOLDER...";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length == 0 || (args[0] != "list" && args.Length < 2))
        {
            stderr.WriteLine(Usage);
            return 2;
        }

        using var targets = new FuzzTargets();
        if (args[0] == "list")
        {
            foreach (var name in targets.Names)
            {
                stdout.WriteLine(name);
            }

            return 0;
        }

        FuzzTarget target;
        try
        {
            target = targets[args[1]];
        }
        catch (ArgumentException ex)
        {
            stderr.WriteLine(ex.Message);
            return 2;
        }

        switch (args[0])
        {
            case "afl":
                // Unexpected exceptions escape Execute, which SharpFuzz reports to afl-fuzz as a crash; the
                // target runs in a child process, so a stack overflow is a crash too, not a dead fuzzer.
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var buffer = new MemoryStream();
                    stream.CopyTo(buffer);
                    target.Execute(buffer.ToArray());
                });
                return 0;
            case "run":
                return Mutate(target, args[2..], stdout);
            case "replay":
                return Replay(target, args[2..], stdout);
            default:
                stderr.WriteLine(Usage);
                return 2;
        }
    }

    private static int Mutate(FuzzTarget target, string[] options, TextWriter stdout)
    {
        var mutants = Option(options, "--mutants", 100_000);
        var seed = Option(options, "--seed", 1);
        var seeds = Corpus.Load(target.Name).Select(s => s.Bytes).ToList();
        var clock = Stopwatch.StartNew();
        var result = new MutationRun(target, seeds, seed).Run(mutants);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{target.Name}: {result.Inputs} inputs ({result.Accepted} accepted, {result.Refused} refused) in {clock.Elapsed.TotalSeconds:0.0} s, most allocated for one input {result.MaxAllocatedBytes / 1024} KiB, {result.Failures.Count} failures"));
        var folder = Path.Combine("findings", target.Name);
        foreach (var failure in result.Failures)
        {
            Directory.CreateDirectory(folder);
            var file = Path.Combine(folder, $"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(failure.Input))[..16].ToLowerInvariant()}");
            File.WriteAllBytes(file, failure.Input);
            stdout.WriteLine($"-- {file}");
            stdout.WriteLine(failure.Problem);
        }

        return result.Failures.Count == 0 ? 0 : 1;
    }

    private static int Replay(FuzzTarget target, string[] paths, TextWriter stdout)
    {
        var failed = 0;
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]);
        foreach (var file in files)
        {
            try
            {
                var outcome = target.Execute(File.ReadAllBytes(file));
                stdout.WriteLine(outcome == FuzzOutcome.Refused ? $"{file}: {outcome}: {target.LastRefusal}" : $"{file}: {outcome}");
            }
#pragma warning disable CA1031 // Replay reports every escaping exception: that is what it is for.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed++;
                stdout.WriteLine($"{file}: {ex}");
            }
        }

        return failed == 0 ? 0 : 1;
    }

    private static int Option(string[] options, string name, int fallback)
    {
        var at = Array.IndexOf(options, name);
        return at >= 0 && at + 1 < options.Length ? int.Parse(options[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Karpenter.Orleans.Benchmarks.Service;

/// <summary>Counts the silo's warnings and errors and keeps the first few, so a figure that hides failures says so.</summary>
public sealed class CountingLoggerProvider : ILoggerProvider
{
    private const int Kept = 10;

    private readonly ConcurrentQueue<string> _first = new();
    private int _warnings;
    private int _errors;

    public int Warnings => Volatile.Read(ref _warnings);

    public int Errors => Volatile.Read(ref _errors);

    public IReadOnlyList<string> First => [.. _first];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>One line: the counts and the first messages, for the end of a figure.</summary>
    public void Report(TextWriter output)
    {
        output.WriteLine($"   silo log: {Warnings} warning(s), {Errors} error(s)");
        foreach (var line in First)
        {
            output.WriteLine($"     {line}");
        }
    }

    private void Add(LogLevel level, string category, string message, Exception? exception)
    {
        if (level >= LogLevel.Error)
        {
            Interlocked.Increment(ref _errors);
        }
        else
        {
            Interlocked.Increment(ref _warnings);
        }

        if (_first.Count < Kept)
        {
            var text = $"{level} {category}: {message}" + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})");
            _first.Enqueue(text.Length > 400 ? text[..400] + "…" : text);
        }
    }

    private sealed class Logger(CountingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Add(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}

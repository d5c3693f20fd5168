using Microsoft.Extensions.Logging;
using PhaseTune.Runs;
using PhaseTune.Training;
using Spectre.Console;

namespace PhaseTune.Cli.Commands;

/// <summary>The console as one consumer of a run's progress reports and log messages: per-phase progress bars (ETA,
/// loss, lr) on a terminal, plain lines when output is redirected, nothing with --quiet.</summary>
public static class ConsoleProgress
{
    public static T Run<T>(bool quiet, Func<IProgress<TrainingProgress>?, ILogger<PhaseTuner>?, T> body)
    {
        if (quiet) return body(null, null);
        if (Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return body(new PlainProgress(), new LineLogger(Console.Error.WriteLine));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => body(new BarProgress(ctx), new LineLogger(text => console.MarkupLine(Markup.Escape(text)))));
    }

    /// <summary>The same consumers for the runs that report to an <see cref="ITrainingObserver"/>.</summary>
    public static T Run<T>(bool quiet, Func<ITrainingObserver, T> body) => Run(quiet, (progress, logger) => body(new ProgressObserver(progress, logger)));

    sealed class LineLogger(Action<string> write) : ILogger<PhaseTuner>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) write(formatter(state, exception));
        }
    }

    sealed class BarProgress(ProgressContext ctx) : IProgress<TrainingProgress>
    {
        ProgressTask? _task;
        public void Report(TrainingProgress p)
        {
            if (p.PhaseFinished)
            {
                if (_task is null) return;
                _task.Value = _task.MaxValue;
                _task.Description = $"{p.Phase} done in {p.Elapsed!.Value.TotalSeconds:F0}s";
            }
            else if (p.Loss is null)
            {
                _task = ctx.AddTask(p.Phase, maxValue: Math.Max(1, p.TotalSteps));
                _task.Value = p.Step;
            }
            else if (_task is not null)
            {
                _task.Value = p.Step;
                _task.Description = $"{p.Phase} ep {p.Epoch} loss {p.Loss:F4} lr {p.LearningRate:E1}";
            }
        }
    }

    sealed class PlainProgress : IProgress<TrainingProgress>
    {
        DateTime _start, _last;
        public void Report(TrainingProgress p)
        {
            if (p.PhaseFinished) { Console.Error.WriteLine($"[{p.Phase}] done in {p.Elapsed!.Value.TotalSeconds:F1}s"); return; }
            if (p.Loss is null)
            {
                _start = _last = DateTime.UtcNow;
                Console.Error.WriteLine($"[{p.Phase}] {p.TotalSteps} steps");
                return;
            }
            var now = DateTime.UtcNow;
            if ((now - _last).TotalSeconds < 15 && p.Step != p.TotalSteps) return;
            _last = now;
            double rate = p.Step / Math.Max(1e-9, (now - _start).TotalSeconds);
            Console.Error.WriteLine($"[{p.Phase}] epoch {p.Epoch} step {p.Step}/{p.TotalSteps} loss {p.Loss:F4} lr {p.LearningRate:E2} eta {TimeSpan.FromSeconds((p.TotalSteps - p.Step) / Math.Max(rate, 1e-9)):hh\\:mm\\:ss}");
        }
    }
}

using PhaseTune.Training;
using Spectre.Console;

namespace PhaseTune.Cli.Commands;

/// <summary>Per-phase progress bars (ETA, loss, lr) on a terminal; plain lines when output is redirected.</summary>
public static class ConsoleProgress
{
    public static T Run<T>(bool quiet, Func<ITrainingObserver, T> body)
    {
        if (quiet) return body(SilentObserver.Instance);
        if (Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return body(new PlainObserver());
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => body(new BarObserver(ctx, console)));
    }

    sealed class BarObserver(ProgressContext ctx, IAnsiConsole console) : ITrainingObserver
    {
        ProgressTask? _task;
        public void PhaseStarted(string phase, long totalSteps, long doneSteps)
        {
            _task = ctx.AddTask(phase, maxValue: Math.Max(1, totalSteps));
            _task.Value = doneSteps;
        }
        public void Step(string phase, int epoch, long step, double loss, double lr)
        {
            if (_task is null) return;
            _task.Value = step;
            _task.Description = $"{phase} ep {epoch + 1} loss {loss:F4} lr {lr:E1}";
        }
        public void PhaseFinished(string phase, TimeSpan elapsed)
        {
            if (_task is null) return;
            _task.Value = _task.MaxValue;
            _task.Description = $"{phase} done in {elapsed.TotalSeconds:F0}s";
        }
        public void Message(string text) => console.MarkupLine(Markup.Escape(text));
    }

    sealed class PlainObserver : ITrainingObserver
    {
        long _total;
        DateTime _start, _last;
        public void PhaseStarted(string phase, long totalSteps, long doneSteps)
        {
            _total = totalSteps; _start = _last = DateTime.UtcNow;
            Console.Error.WriteLine($"[{phase}] {totalSteps} steps");
        }
        public void Step(string phase, int epoch, long step, double loss, double lr)
        {
            var now = DateTime.UtcNow;
            if ((now - _last).TotalSeconds < 15 && step != _total) return;
            _last = now;
            double rate = step / Math.Max(1e-9, (now - _start).TotalSeconds);
            Console.Error.WriteLine($"[{phase}] epoch {epoch + 1} step {step}/{_total} loss {loss:F4} lr {lr:E2} eta {TimeSpan.FromSeconds((_total - step) / Math.Max(rate, 1e-9)):hh\\:mm\\:ss}");
        }
        public void PhaseFinished(string phase, TimeSpan elapsed) => Console.Error.WriteLine($"[{phase}] done in {elapsed.TotalSeconds:F1}s");
        public void Message(string text) => Console.Error.WriteLine(text);
    }
}

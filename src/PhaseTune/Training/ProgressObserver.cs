using Microsoft.Extensions.Logging;

namespace PhaseTune.Training;

/// <summary>A run's events for .NET callers: steps and phase boundaries as <see cref="TrainingProgress"/> reports,
/// messages as <see cref="ILogger"/> information (phase starts and ends at debug level, as the reports carry
/// them). Either may be null.</summary>
public sealed class ProgressObserver(IProgress<TrainingProgress>? progress, ILogger? logger) : ITrainingObserver
{
    long _total, _step;
    int _epoch;

    public void PhaseStarted(string phase, long totalSteps, long doneSteps)
    {
        (_total, _step, _epoch) = (totalSteps, doneSteps, 0);
        logger?.LogDebug("{Phase}: {Total} steps, {Done} done", phase, totalSteps, doneSteps);
        progress?.Report(new TrainingProgress(phase, 0, doneSteps, totalSteps));
    }

    public void Step(string phase, int epoch, long step, double loss, double lr)
    {
        (_step, _epoch) = (step, epoch + 1);
        progress?.Report(new TrainingProgress(phase, epoch + 1, step, _total, loss, lr));
    }

    public void PhaseFinished(string phase, TimeSpan elapsed)
    {
        logger?.LogDebug("{Phase}: done in {Seconds:F1}s", phase, elapsed.TotalSeconds);
        progress?.Report(new TrainingProgress(phase, _epoch, _step, _total, Elapsed: elapsed));
    }

    public void Message(string text) => logger?.LogInformation("{Message}", text);
}

using Microsoft.Extensions.Logging;
using PhaseTune.Reports;
using PhaseTune.Training;

namespace PhaseTune.Runs;

/// <summary>The C# entry to training, as `phasetune train` runs it: options resolved as the CLI resolves its flags,
/// progress as <see cref="TrainingProgress"/> reports, messages to an <see cref="ILogger"/>, and cancellation that
/// stops at the next optimiser step and leaves a checkpoint: the same options started again resume there and end
/// with the weights an uninterrupted run ends with.</summary>
public sealed class PhaseTuner(ILogger<PhaseTuner>? logger = null)
{
    /// <summary>Trains on a thread of its own. Progress reports are made in order on that thread; an
    /// <see cref="IProgress{T}"/> such as <see cref="Progress{T}"/> that posts them elsewhere may see them out of order.</summary>
    /// <exception cref="OperationCanceledException">when <paramref name="cancellationToken"/> stopped the run (the
    /// checkpoint in <see cref="TrainOptions.Output"/> resumes it)</exception>
    public Task<TrainResult> TrainAsync(TrainOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Train(options, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Trains on the calling thread.</summary>
    public TrainResult Train(TrainOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.CheckOutput();
        var config = options.ResolveConfig();
        var data = options.Data.Load(config.Seed, config.LabelLevels);
        ITrainingObserver observer = new ProgressObserver(progress, logger);
        var board = TensorBoardObserver.For(options.ReportTo, options.Output, observer);
        observer = board ?? observer;
        observer.Message($"train {data.Train.Count}, dev {data.Dev.Count}{(data.DevWasSplit ? " (20 % of train)" : "")}, test {data.Test?.Count ?? 0}, " +
            $"{data.Labels.Count} labels; phases {Phases.PhaseKinds.Names(config.Phases)}");
        var result = TrainRun.Run(options.Model, options.Vocab, data, config, options.Output, observer, options.Restart, cancellationToken);
        if (board is not null) TensorBoardSummary.Write(board, options.Output);
        return result;
    }
}

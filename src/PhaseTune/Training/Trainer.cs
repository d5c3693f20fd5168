using System.Diagnostics;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace PhaseTune.Training;

/// <summary>Runs phases step by step: every step in its own dispose scope, gradient clipping, the schedule,
/// log.jsonl lines, and a <see cref="TrainingCheckpoint"/> every <see cref="TrainerOptions.CheckpointEvery"/> steps
/// and after every epoch, from which a killed run resumes exactly where the checkpoint was taken.</summary>
public sealed class Trainer
{
    readonly string _dir;
    readonly TrainerOptions _options;
    readonly ITrainingObserver _observer;
    readonly TrainingCheckpoint _checkpoint;
    readonly CancellationToken _cancel;

    public string LogPath => Path.Combine(_dir, "log.jsonl");

    /// <param name="identity">what must be unchanged for a checkpoint to be resumed (a run's resolved configuration)</param>
    /// <param name="cancel">stops the run after the step in progress, with a checkpoint there to resume from</param>
    public Trainer(string outDir, TrainerOptions options, string identity, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        _cancel = cancel;
        _dir = outDir;
        _options = options;
        _observer = observer ?? SilentObserver.Instance;
        Directory.CreateDirectory(outDir);
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        _checkpoint = new TrainingCheckpoint(outDir, hash);
        if (_checkpoint.PhaseIndex >= 0)
        {
            if (File.Exists(LogPath)) using (var f = new FileStream(LogPath, FileMode.Open)) f.SetLength(Math.Min(f.Length, _checkpoint.LogBytes));
        }
        else if (File.Exists(LogPath)) File.Delete(LogPath);
    }

    /// <summary>Index of the phase the checkpoint was taken in, or -1 for a fresh run (or once it is restored).</summary>
    public int ResumePhaseIndex => _checkpoint.PhaseIndex;

    public void Run(TrainingPhase phase, int phaseIndex)
    {
        int epoch = 0, startBatch = 0;
        if (_checkpoint.PhaseIndex == phaseIndex)
        {
            (epoch, startBatch) = _checkpoint.Restore(phase);
            _observer.Message($"resuming {phase.Name} at epoch {epoch + 1}, batch {startBatch}");
        }
        if (phase.StartMessage is string note) _observer.Message($"{phase.Name}: {note}");
        var clock = Stopwatch.StartNew();
        _observer.PhaseStarted(phase.Name, phase.Schedule.TotalSteps, phase.Optimizer.StepCount);
        var parameters = phase.Optimizer.Parameters.ToList();
        using var log = new StreamWriter(LogPath, append: true, new UTF8Encoding(false));
        bool stop = false;
        for (; epoch < phase.MaxEpochs && !stop; epoch++, startBatch = 0)
        {
            int batches = phase.BeginEpoch(epoch);
            phase.SetTraining(true);
            for (int b = startBatch; b < batches; b++)
            {
                double loss;
                using (var scope = NewDisposeScope())
                {
                    phase.Optimizer.ZeroGrad();
                    var l = phase.Backward(b);
                    if (_options.MaxGradNorm > 0) nn.utils.clip_grad_norm_(parameters, _options.MaxGradNorm);
                    phase.Schedule.Apply(phase.Optimizer);
                    phase.Optimizer.Step();
                    loss = l.item<float>();
                }
                if (!double.IsFinite(loss))
                    throw new InvalidOperationException($"{phase.Name}: the loss became {loss} at epoch {epoch + 1}, batch {b + 1} (optimiser step " +
                        $"{phase.Optimizer.StepCount}); training stopped. " + (_checkpoint.Latest is string at
                            ? $"The last good checkpoint is {at}." : "No checkpoint was written before it.") +
                        " A learning rate that is too large is the usual cause.");
                long step = phase.Optimizer.StepCount;
                double lr = phase.Optimizer.Groups[0].Lr;
                _observer.Step(phase.Name, epoch, step, loss, lr);
                int checks = phase.ChecksPerEpoch;
                double? devScore = null;
                if (checks > 0 && (b + 1) * checks / batches != b * checks / batches)
                {
                    phase.SetTraining(false);
                    devScore = phase.Check(_observer);
                    phase.SetTraining(true);
                }
                if (step % _options.LogEvery == 0 || b == batches - 1 || devScore is not null)
                {
                    log.WriteLine(devScore is double d
                        ? JsonSerializer.Serialize(new { phase = phase.Name, epoch = epoch + 1, step, loss, lr, dev_score = d })
                        : JsonSerializer.Serialize(new { phase = phase.Name, epoch = epoch + 1, step, loss, lr }));
                    log.Flush();
                }
                bool cancelled = _cancel.IsCancellationRequested;
                if (b < batches - 1 && (cancelled || _options.CheckpointEvery > 0 && step % _options.CheckpointEvery == 0))
                    Save(phase, phaseIndex, epoch, b + 1, log);
                if (cancelled && b < batches - 1) Cancelled(phase, epoch, b + 1);
            }
            stop = phase.EndEpoch(epoch, _observer);
            Save(phase, phaseIndex, stop ? phase.MaxEpochs : epoch + 1, 0, log);
            // a request during the epoch's last step is honoured once its end (dev score, early stopping) is saved
            if (_cancel.IsCancellationRequested) Cancelled(phase, stop ? phase.MaxEpochs : epoch + 1, 0);
        }
        phase.Finish();
        _observer.PhaseFinished(phase.Name, clock.Elapsed);
    }

    void Cancelled(TrainingPhase phase, int epoch, int batch)
    {
        _observer.Message($"{phase.Name}: cancelled; the checkpoint at epoch {epoch + 1}, batch {batch} resumes the run");
        throw new OperationCanceledException($"{phase.Name} was cancelled at epoch {epoch + 1}, batch {batch}; start the run again to resume", _cancel);
    }

    void Save(TrainingPhase phase, int phaseIndex, int epoch, int batch, StreamWriter log)
    {
        log.Flush();
        _checkpoint.Save(phase, phaseIndex, epoch, batch, new FileInfo(LogPath).Length);
    }

    /// <summary>Removes the checkpoint once the whole run is done and its outputs are written.</summary>
    public void Complete() => _checkpoint.Delete();
}

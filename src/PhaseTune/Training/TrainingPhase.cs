using System.Text.Json.Nodes;
using PhaseTune.Training.Optimization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Training;

/// <summary>One phase of training as the <see cref="Trainer"/> drives it. An epoch's batches must be a pure
/// function of (seed, epoch), so a resumed run replays exactly the batches it had not yet taken.</summary>
public abstract class TrainingPhase : IDisposable
{
    public abstract string Name { get; }
    public abstract int MaxEpochs { get; }

    /// <summary>How many examples an epoch of the phase goes through (texts, pairs or rows), for metrics.json.</summary>
    public abstract int ExampleCount { get; }

    /// <summary>What a user should know as the phase starts (e.g. where a decoder's head came from), or null.</summary>
    public virtual string? StartMessage => null;
    public Optimizer Optimizer { get; protected init; } = null!;
    public LrSchedule Schedule { get; protected init; } = null!;

    /// <summary>Named parameters whose values a checkpoint must carry (shared storage listed once).</summary>
    public IReadOnlyList<(string Name, Parameter Param)> StateParameters { get; protected init; } = [];

    /// <summary>The current epoch's batches as example indices (phases that batch one list of examples).</summary>
    public IReadOnlyList<int[]> Batches => EpochBatches;
    protected int[][] EpochBatches = [];

    /// <summary>Prepares an epoch (shuffle, noise) and returns its number of batches.</summary>
    public abstract int BeginEpoch(int epoch);

    /// <summary>Loss of batch <paramref name="index"/> of the current epoch, in training mode.</summary>
    public abstract Tensor Loss(int index);

    /// <summary>Computes the loss and fills the parameters' gradients; phases that combine gradients themselves
    /// (PCGrad) override it.</summary>
    public virtual Tensor Backward(int index)
    {
        var loss = Loss(index);
        loss.backward();
        return loss;
    }

    public abstract void SetTraining(bool training);

    /// <summary>Called after each epoch; true stops the phase early.</summary>
    public virtual bool EndEpoch(int epoch, ITrainingObserver observer) => false;

    /// <summary>Best-on-dev selection of the phase, if it has one (DAE and contrastive phases with a dev set).</summary>
    public DevSelection? Selection { get; protected init; }

    /// <summary>How many times per epoch the <see cref="Trainer"/> asks for a dev check (0: never).</summary>
    public int ChecksPerEpoch => Selection?.ChecksPerEpoch ?? 0;

    /// <summary>Scores dev (in eval mode), offers the weights to the selection and returns the score (log.jsonl's
    /// dev_score; DAE and MLM score minus their dev loss).</summary>
    public double? Check(ITrainingObserver observer) => Selection?.Check(Name, observer);

    /// <summary>Called once after the last epoch (e.g. to restore the best weights).</summary>
    public virtual void Finish() => Selection?.Restore();

    /// <summary>Phase state beyond parameters and optimiser (best score, saved best weights).</summary>
    public virtual JsonObject SaveExtra(List<(string, Tensor)> tensors) => Selection?.Save(tensors) ?? new();
    public virtual void LoadExtra(JsonObject extra, Func<string, Tensor?> tensors) => Selection?.Load(extra, tensors);

    /// <summary>Drops repeated parameters (a tied decoder lists the encoder's again), keeping the first name.</summary>
    public static IReadOnlyList<(string, Parameter)> Distinct(IEnumerable<(string Name, Parameter Param)> named)
    {
        var seen = new HashSet<IntPtr>();
        return named.Where(p => seen.Add(p.Param.Handle)).ToList();
    }

    public virtual void Dispose() => Optimizer.Dispose();
}

using TorchSharp.Modules;
using static TorchSharp.torch.utils;

namespace PhaseTune.Training;

/// <summary>Passes every event on to <paramref name="inner"/> and writes every step's loss and learning rate as
/// TensorBoard scalars (PHASE/loss, PHASE/lr, against the phase's step) into an event file in
/// <paramref name="directory"/>, with TorchSharp's SummaryWriter, opened at the first scalar (so only once the run holds
/// its folder). A resumed run appends a new event file, which TensorBoard reads as the same run; the steps between the
/// last checkpoint and the kill appear twice there (log.jsonl keeps only the resumed ones).</summary>
public sealed class TensorBoardObserver(string directory, ITrainingObserver? inner = null) : ITrainingObserver
{
    SummaryWriter? _open;
    SummaryWriter Writer => _open ??= tensorboard.SummaryWriter(directory, createRunName: false);

    public string Directory => directory;

    /// <summary>What --report-to asks for: null for none, or a board writing to DIR/tensorboard that passes every event
    /// on to <paramref name="inner"/>.</summary>
    public static TensorBoardObserver? For(string? reportTo, string outDir, ITrainingObserver inner) => reportTo switch
    {
        null or "none" => null,
        "tensorboard" => new TensorBoardObserver(Path.Combine(outDir, "tensorboard"), inner),
        _ => throw new ArgumentException($"--report-to: unknown '{reportTo}' (tensorboard, none)"),
    };

    public void PhaseStarted(string phase, long totalSteps, long doneSteps) => inner?.PhaseStarted(phase, totalSteps, doneSteps);

    public void Step(string phase, int epoch, long step, double loss, double lr)
    {
        Writer.add_scalar($"{phase}/loss", (float)loss, (int)step);
        Writer.add_scalar($"{phase}/lr", (float)lr, (int)step);
        inner?.Step(phase, epoch, step, loss, lr);
    }

    public void PhaseFinished(string phase, TimeSpan elapsed) => inner?.PhaseFinished(phase, elapsed);

    public void Message(string text) => inner?.Message(text);

    /// <summary>One more scalar (a run's dev score per epoch, its silhouette after each phase).</summary>
    public void Scalar(string tag, double value, int step) => Writer.add_scalar(tag, (float)value, step);
}

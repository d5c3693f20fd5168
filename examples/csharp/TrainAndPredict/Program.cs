// Train a 3-Phase classifier through PhaseTune's C# API, save it, load it back and predict.
// usage: dotnet run -- DATA_DIR VOCAB_TXT OUT_DIR
//   DATA_DIR holds train/dev/test files (JSONL, CSV, TSV or Parquet with "text" and "label")
//   VOCAB_TXT is a WordPiece vocab.txt for the from-scratch encoder (or use a model folder as Model)
// Ctrl+C stops at the next training step with a checkpoint; the same command resumes from it.
using PhaseTune.Data;
using PhaseTune.Inference;
using PhaseTune.ModelFiles;
using PhaseTune.Runs;
using PhaseTune.Training;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: TrainAndPredict DATA_DIR VOCAB_TXT OUT_DIR");
    return 2;
}
var options = new TrainOptions
{
    Model = "scratch:tiny", Vocab = args[1], Data = new DataOptions { Dir = args[0] }, Output = args[2],
    // the flags of `phasetune train`, resolved exactly as the command resolves them
    Settings = new Dictionary<string, string?> { ["--phases"] = "dae,cl,ft", ["--ft-epochs"] = "3", ["--seed"] = "1" },
};
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = !cancel.IsCancellationRequested; cancel.Cancel(); };

var result = await new PhaseTuner().TrainAsync(options, new StepPrinter(), cancel.Token);
result.Model.Dispose();
Console.WriteLine($"dev accuracy {result.Dev.Accuracy:F3}, macro F1 {result.Dev.MacroF1:F3}");

using var classifier = ClassifierDirectory.Load(Path.Combine(args[2], "model"));
(string, string?)[] texts = [("play some jazz by miles davis", null), ("will it rain in paris tomorrow", null)];
int[] predicted = classifier.Predict(texts);
for (int i = 0; i < texts.Length; i++)
    Console.WriteLine($"prediction: {texts[i].Item1} -> {classifier.Labels[predicted[i]]}");
return 0;

/// <summary>Prints each phase's start and end and every tenth step (reports arrive in order, on the training thread).</summary>
sealed class StepPrinter : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress p)
    {
        if (p.PhaseFinished) Console.WriteLine($"{p.Phase}: done in {p.Elapsed!.Value.TotalSeconds:F1}s");
        else if (p.Loss is null) Console.WriteLine($"{p.Phase}: {p.TotalSteps} steps");
        else if (p.Step % 10 == 0) Console.WriteLine($"{p.Phase}: epoch {p.Epoch} step {p.Step}/{p.TotalSteps} loss {p.Loss:F4}");
    }
}

using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Baselines;
using PhaseTune.Data;
using PhaseTune.Evaluation;
using PhaseTune.IO;

namespace PhaseTune.Runs;

/// <summary>`phasetune baseline` and the ablation's `tfidf` variant: a <see cref="TfidfClassifier"/> trained on the
/// training set, scored on dev and test with the metrics of every other run. With an output folder it writes
/// DIR/metrics.json (the keys a <see cref="TrainRun"/> writes; the "phase" is tfidf) and DIR/model (tfidf.zip, ML.NET's
/// model, and labels.json), each whole or not at all.</summary>
public static class BaselineRun
{
    /// <summary>The variant's name in an ablation and the phase's name in metrics.json.</summary>
    public const string Variant = "tfidf";

    /// <summary>The entries of its output folder a run writes or replaces.</summary>
    public static readonly string[] Writes = ["model", "metrics.json", RunLock.FileName + "*"];

    public static JsonObject Run(DataSplits data, string? outDir = null, int seed = 0)
    {
        using var runLock = outDir is null ? null : RunLock.Acquire(outDir);
        var clock = Stopwatch.StartNew();
        var model = TfidfClassifier.Train(data.Train, data.Labels, seed: seed);
        double seconds = clock.Elapsed.TotalSeconds;
        var dev = Evaluate(model, data.Dev);
        var test = data.Test is null ? null : Evaluate(model, data.Test);
        var metrics = new JsonObject
        {
            ["dev"] = dev.ToJson(), ["test"] = test?.ToJson(),
            ["phase_seconds"] = new JsonObject { [Variant] = seconds },
            ["phase_examples"] = new JsonObject { [Variant] = data.Train.Count },
            ["features"] = model.FeatureCount,
            ["dev_was_split_from_train"] = data.DevWasSplit, ["train_examples"] = data.Train.Count, ["labels"] = data.Labels.Count,
        };
        if (outDir is not null)
        {
            AtomicDirectory.Write(Path.Combine(outDir, "model"), dir =>
            {
                AtomicFile.Write(Path.Combine(dir, "tfidf.zip"), model.Save);
                AtomicFile.WriteAllText(Path.Combine(dir, "labels.json"), new JsonObject
                {
                    ["labels"] = new JsonArray(data.Labels.Names.Select(l => (JsonNode)l).ToArray()), ["model"] = Variant,
                }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            });
            AtomicFile.WriteAllText(Path.Combine(outDir, "metrics.json"), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        return metrics;
    }

    static ClassificationMetrics Evaluate(TfidfClassifier model, IReadOnlyList<Example> examples) => ClassificationMetrics.Compute(
        examples.Select(e => model.Labels.IndexOf(e.Label)).ToList(), examples.Select(model.Predict).ToList(), model.Labels.Names);
}

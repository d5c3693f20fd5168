using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.Evaluation;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Reports;
using PhaseTune.Text;
using PhaseTune.Training;
using TorchSharp;

namespace PhaseTune.Runs;

/// <summary>`phasetune train`: the 3-Phase method or a variant — the configured phases in order on one encoder, ending
/// in fine-tuning — then dev and test metrics. Writes DIR/model, DIR/metrics.json and DIR/log.jsonl; a killed run
/// resumes from DIR/checkpoint.</summary>
public static class TrainRun
{
    /// <summary>The entries of its output folder a run writes or replaces.</summary>
    public static readonly string[] Writes = [.. PhaseRunner.Writes, "model", "metrics.json", EmbeddingsFolder, RunPlots.Folder, "tensorboard"];

    /// <summary>DIR/embeddings/PHASE.csv: the dev set's 2-D map (PCA) where the run starts and after each phase.</summary>
    public const string EmbeddingsFolder = "embeddings";

    /// <summary>The folder the training file lies in (snips2 for ../shared/datasets/snips2/train.jsonl).</summary>
    static string? DatasetName(DataSplits data)
    {
        string source = data.Train.Count > 0 ? data.Train[0].Source : "";
        if (source.Length == 0) return null;
        string? folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(source)));
        return string.IsNullOrEmpty(folder) ? Path.GetFileName(source).Split('.')[0] : folder;
    }

    /// <summary>Builds the encoder named by <paramref name="model"/> (a model directory or `scratch:PRESET` with
    /// <paramref name="vocab"/>; torch seeded first, so scratch weights follow the run seed) and runs.</summary>
    public static TrainResult Run(string model, string? vocab, DataSplits data, TrainConfig c, string outDir,
        ITrainingObserver? observer = null, bool restart = false, CancellationToken cancel = default)
    {
        c.ValidateClassifierRecipe();
        var (bert, tok, _) = ModelSource.Resolve(model, vocab, c.Seed);
        return Run(bert, tok, data, c, outDir, observer, restart: restart, baseModel: model, cancel: cancel);
    }

    /// <param name="firstPhase">index of the first phase to run; the earlier ones were done elsewhere on this encoder
    /// (an ablation's shared DAE, on the training and unlabelled texts), taking <paramref name="priorSeconds"/></param>
    public static TrainResult Run(BertModel model, ITokenizer tok, DataSplits data, TrainConfig c, string outDir,
        ITrainingObserver? observer = null, int firstPhase = 0, IReadOnlyDictionary<PhaseKind, double>? priorSeconds = null,
        bool restart = false, string? baseModel = null, CancellationToken cancel = default)
    {
        c.ValidateClassifierRecipe();
        if (c.Threads > 0) torch.set_num_threads(c.Threads);
        c = c.WithResolvedPrecision();
        using var autocast = Autocast.Scope(Autocast.Resolve(c.Precision));
        c = MaxLengthRule.Resolve(c, tok, data, model.Config.MaxSequenceLength);
        if (c.Dropout is double p) model.SetDropout(p);
        var encoder = new SentenceEncoder(model, Pooling.Parse(c.Pooling), c.Normalize);
        using var runner = new PhaseRunner(outDir, c.Seed, c.ToTrainerOptions(), c.ToJson(), observer, restart, cancel);
        foreach (var (kind, seconds) in priorSeconds ?? new Dictionary<PhaseKind, double>()) runner.Credit(kind, seconds, data.TrainingTexts().Count);

        // the dev set's cluster quality and 2-D map where the run starts (after an ablation's shared phases, under their
        // name) and after each phase; a phase finished before a kill was measured then (unless the kill fell in between)
        void Snapshot(string name) => runner.RecordQuality(name, () =>
        {
            using var scope = torch.NewDisposeScope();
            using var fp32 = Autocast.Scope(Precision.Fp32);   // a measurement of the model, not a training step
            var embeddings = ClusterQuality.Embed(encoder, tok, data.Dev, c.MaxLength);
            if (embeddings is null) return null;
            EmbeddingMap.Write(Path.Combine(outDir, EmbeddingsFolder, name + ".csv"), EmbeddingMap.Pca2(embeddings), data.Dev.Select(x => x.Label).ToList());
            return ClusterQuality.Compute(embeddings, data.Dev.Select(x => data.Labels.IndexOf(x.Label)).ToArray());
        });
        if (!runner.Finished(firstPhase)) Snapshot(firstPhase == 0 ? "start" : c.Phases[firstPhase - 1].Name());
        FineTunePhase? ft = null;
        for (int i = firstPhase; i < c.Phases.Length; i++)
        {
            var kind = c.Phases[i];
            if (runner.Finished(i)) { PhaseFactory.RestoreAddedModules(kind, encoder, c); continue; }
            var phase = runner.Run(i, kind, () => PhaseFactory.Create(kind, encoder, tok, data, c));
            Snapshot(kind.Name());
            if (phase is FineTunePhase f) ft = f; else phase.Dispose();
        }
        using var finetune = ft!;   // every classifier recipe ends in fine-tuning, which is never skipped on resume
        cancel.ThrowIfCancellationRequested();
        ClassificationMetrics dev;
        ClassificationMetrics? test, train;
        // the saved model's scores as eval, predict and the ONNX export compute them (float32); training and its dev
        // selection ran in the run's precision
        using (Autocast.Scope(Precision.Fp32))
        {
            dev = finetune.Evaluate(data.Dev);
            test = data.Test is null ? null : finetune.Evaluate(data.Test);
            train = c.EvalTrain ? finetune.Evaluate(data.Train) : null;
        }
        runner.Complete(() =>
        {
            ClassifierDirectory.Save(finetune.Model, Path.Combine(outDir, "model"), c.ToJson());
            var metrics = new JsonObject
            {
                ["dev"] = dev.ToJson(), ["test"] = test?.ToJson(),
                ["phase_seconds"] = JsonSerializer.SerializeToNode(runner.Seconds),
                ["phase_examples"] = JsonSerializer.SerializeToNode(runner.Examples),
                ["dev_history"] = new JsonArray(finetune.DevHistory.Select(d => (JsonNode)d).ToArray()),
                ["best_epoch"] = finetune.BestEpoch + 1, ["dev_was_split_from_train"] = data.DevWasSplit,
                ["train_examples"] = data.Train.Count, ["labels"] = data.Labels.Count,
                ["cluster_quality"] = runner.ClusterQualityJson(),
                ["base_model"] = baseModel, ["dataset"] = DatasetName(data),
            };
            if (train is not null) metrics["train"] = train.ToJson();
            AtomicFile.WriteAllText(Path.Combine(outDir, "metrics.json"), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            RunReport.TryWrite(outDir, observer, card: true);
        });
        return new TrainResult(finetune.Model, dev, test, runner.Seconds, finetune.DevHistory, finetune.BestEpoch, runner.Measured(), train);
    }
}

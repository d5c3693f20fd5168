using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Text;
using PhaseTune.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Runs;

/// <summary>The 3-Phase method and its variants: runs the configured phases in order on one encoder, then
/// evaluates and writes DIR/model, DIR/metrics.json and DIR/log.jsonl. A killed run resumes from DIR/checkpoint.</summary>
public static class TrainRun
{
    /// <param name="startPhase">index of the first phase to run; earlier ones were done by the caller
    /// (their time is in <paramref name="priorSeconds"/>), e.g. an ablation reusing a shared DAE phase</param>
    public static TrainResult Run(BertModel model, ITokenizer tok, DataSplits data, TrainConfig c, string outDir,
        ITrainingObserver? observer = null, int startPhase = 0, IReadOnlyDictionary<string, double>? priorSeconds = null)
    {
        observer ??= SilentObserver.Instance;
        if (c.Threads > 0) torch.set_num_threads(c.Threads);
        var encoder = new SentenceEncoder(model, Pooling.Parse(c.Pooling));
        var trainer = new Trainer(outDir, c, observer);
        string timesPath = Path.Combine(outDir, "phase_seconds.json");
        var seconds = new Dictionary<string, double>(priorSeconds ?? new Dictionary<string, double>());
        if (trainer.ResumePhaseIndex >= 0 && File.Exists(timesPath))
            foreach (var (k, v) in JsonNode.Parse(File.ReadAllText(timesPath))!.AsObject()) seconds[k] = v!.GetValue<double>();

        var ft = RunPhases(encoder, tok, data, c, trainer, startPhase, c.Phases.Length, seconds, timesPath)
            ?? throw new ArgumentException("the last phase must be ft");
        var dev = ft.Evaluate(data.Dev);
        var test = data.Test is null ? null : ft.Evaluate(data.Test);
        ft.Model.Save(Path.Combine(outDir, "model"), c.ToJson());
        var metrics = new JsonObject
        {
            ["dev"] = dev.ToJson(), ["test"] = test?.ToJson(),
            ["phase_seconds"] = JsonSerializer.SerializeToNode(seconds),
            ["dev_history"] = new JsonArray(ft.DevHistory.Select(d => (JsonNode)d).ToArray()),
            ["best_epoch"] = ft.BestEpoch + 1, ["dev_was_split_from_train"] = data.DevWasSplit,
            ["train_examples"] = data.Train.Count, ["labels"] = data.Labels.Count,
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "metrics.json"), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        trainer.Complete();
        File.Delete(timesPath);
        return new TrainResult(ft.Model, dev, test, seconds, ft.DevHistory, ft.BestEpoch);
    }

    /// <summary>Runs phases [from, to) of the configuration on the encoder; returns the fine-tuning phase if it ran.</summary>
    public static FineTunePhase? RunPhases(SentenceEncoder encoder, ITokenizer tok, DataSplits data, TrainConfig c, Trainer trainer,
        int from, int to, Dictionary<string, double> seconds, string? timesPath = null)
    {
        var texts = data.Train.Select(e => e.Text).ToList();
        FineTunePhase? ft = null;
        for (int i = from; i < to; i++)
        {
            string name = c.Phases[i];
            if (i < trainer.ResumePhaseIndex)
            {
                // phases finished before the kill only left their weights, which the checkpoint carries
                if (name is "cl" or "joint" && c.Cl.Projection == "linear") encoder.AddProjection();
                continue;
            }
            torch.manual_seed(Seeds.Mix(c.Seed, "torch-" + name));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            TrainingPhase phase = name switch
            {
                "dae" => new DaePhase(encoder, tok, texts, c),
                "cl" => new ContrastivePhase(encoder, tok, data.Train, data.Labels, c),
                "joint" => new JointPhase(encoder, tok, data.Train, data.Labels, c),
                "ft" => ft = new FineTunePhase(encoder, tok, data.Train, data.Dev, data.Labels, c),
                _ when EmbeddingPretrainPhase.Objectives.Contains(name) =>
                    new EmbeddingPretrainPhase(name, encoder, tok, data.Train, c with { Pretrain = c.Pretrain with { Objective = name } }),
                _ => throw new ArgumentException($"unknown phase '{name}'"),
            };
            trainer.Run(phase, i);
            seconds[name] = seconds.GetValueOrDefault(name) + clock.Elapsed.TotalSeconds;
            if (timesPath is not null) AtomicFile.WriteAllText(timesPath, JsonSerializer.Serialize(seconds));
            if (phase != ft) phase.Dispose();
        }
        return ft;
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.MultiTask;
using PhaseTune.Phases;
using PhaseTune.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Runs;

/// <summary>Runs a multi-task configuration end to end: data, optional SimCSE / MNRL pre-training, multi-task
/// training, dev and test metrics per task (DIR/metrics.json), the encoder and heads (DIR/model).</summary>
public static class MultiTaskRun
{
    public static JsonObject Run(MultiTaskConfig c, string outDir, ITrainingObserver? observer = null, int? maxSteps = null, int? limitPerTask = null)
    {
        observer ??= SilentObserver.Instance;
        if (c.Threads > 0) torch.set_num_threads(c.Threads);
        var tasks = c.Tasks.Select(t => TaskData.Load(t, c.Seed, limitPerTask)).ToList();
        torch.manual_seed(Seeds.Mix(c.Seed, "init"));
        var (bert, tok, _) = ModelSource.Resolve(c.Model, c.Vocab);
        var encoder = new SentenceEncoder(bert, Pooling.Parse(c.Pooling));
        var phases = c.Pretrain == "none" ? new[] { "multitask" } : [c.Pretrain, "multitask"];
        var trainConfig = new TrainConfig { Seed = c.Seed, BatchSize = c.BatchSize, MaxLength = c.MaxLength, Pooling = c.Pooling,
            Phases = phases, Pretrain = new PretrainConfig { Objective = c.Pretrain, Epochs = c.PretrainEpochs, Lr = c.Lr } };
        // a checkpoint is resumed only by the same multi-task configuration and caps
        var trainer = new Trainer(outDir, trainConfig, observer, identity: $"{c.ToJson()}|{maxSteps}|{limitPerTask}");
        var seconds = new Dictionary<string, double>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (c.Pretrain != "none" && trainer.ResumePhaseIndex <= 0)
        {
            var texts = PretrainExamples(c.Pretrain, tasks);
            torch.manual_seed(Seeds.Mix(c.Seed, "torch-" + c.Pretrain));
            using var pre = new EmbeddingPretrainPhase(c.Pretrain, encoder, tok, texts, trainConfig);
            trainer.Run(pre, 0);
            seconds[c.Pretrain] = clock.Elapsed.TotalSeconds;
        }
        torch.manual_seed(Seeds.Mix(c.Seed, "torch-multitask"));
        var model = new MultiTaskModel(encoder, tasks.Select(t => (t.Config, t.Outputs)).ToList(), c.SharedLayer);
        using var phase = new MultiTaskPhase(model, tasks, tok, c, maxSteps);
        clock.Restart();
        trainer.Run(phase, phases.Length - 1);
        seconds["multitask"] = clock.Elapsed.TotalSeconds;

        var dev = phase.Evaluate(test: false, out _);
        var test = phase.Evaluate(test: true, out _);
        AtomicDirectory.Write(Path.Combine(outDir, "model"), tmp =>
        {
            ModelDirectory.WriteInto(tmp, bert, tok, encoder.Pooling);
            SafeTensorsFile.Save(Path.Combine(tmp, "multitask_heads.safetensors"),
                model.named_parameters().Where(p => !p.name.StartsWith("encoder.")).Select(p => (p.name, (Tensor)p.parameter)));
            AtomicFile.WriteAllText(Path.Combine(tmp, "multitask_config.json"), c.ToJson());
        });
        var metrics = new JsonObject
        {
            ["dev"] = dev, ["test"] = test, ["phase_seconds"] = JsonSerializer.SerializeToNode(seconds),
            ["dev_history"] = new JsonArray(phase.DevHistory.Select(d => (JsonNode)d).ToArray()),
            ["sampler"] = c.Sampler, ["pcgrad"] = c.Pcgrad, ["pretrain"] = c.Pretrain,
            ["train_examples"] = new JsonObject(tasks.Select(t => KeyValuePair.Create(t.Config.Name, (JsonNode?)t.Train.Count))),
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "metrics.json"), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        trainer.Complete();
        return metrics;
    }

    /// <summary>SimCSE: every text of every task. MNRL: positive pairs (label 1; STS scores of 4 or more).</summary>
    static List<Example> PretrainExamples(string objective, IReadOnlyList<TaskData> tasks)
    {
        if (objective == "simcse")
            return tasks.SelectMany(t => t.Train).SelectMany(e => e.Text2 is null ? [e.Text] : new[] { e.Text, e.Text2 })
                .Distinct().Select(s => new Example(s, null, "")).ToList();
        var pairs = tasks.Where(t => t.Config.Kind != TaskKind.Single).SelectMany(t => t.Train.Where(e =>
            t.Config.Kind == TaskKind.PairRegression ? TaskData.Score(e.Label) >= 4 : e.Label == "1"))
            .Select(e => new Example(e.Text, e.Text2, "1")).ToList();
        if (pairs.Count < 2) throw new InvalidDataException("mnrl pre-training needs positive pairs (a pair task with label 1 or STS scores ≥ 4)");
        return pairs;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.MultiTask;
using PhaseTune.Reports;
using PhaseTune.Phases;
using PhaseTune.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Runs;

/// <summary>Runs a multi-task configuration end to end: data, optional SimCSE / MNRL pre-training, multi-task
/// training, dev and test metrics per task (DIR/metrics.json), the encoder and heads (DIR/model).</summary>
public static class MultiTaskRun
{
    /// <summary>The entries of its output folder a run writes or replaces.</summary>
    public static readonly string[] Writes = [.. PhaseRunner.Writes, "model", "metrics.json", RunPlots.Folder];

    public static JsonObject Run(MultiTaskConfig c, string outDir, ITrainingObserver? observer = null, int? maxSteps = null, int? limitPerTask = null)
    {
        if (c.Threads > 0) torch.set_num_threads(c.Threads);
        c = c.WithResolvedPrecision();
        using var autocast = Autocast.Scope(Autocast.Resolve(c.Precision));
        var tasks = c.Tasks.Select(t => TaskData.Load(t, c.Seed, limitPerTask)).ToList();
        var (bert, tok, _) = ModelSource.Resolve(c.Model, c.Vocab, c.Seed);
        var encoder = new SentenceEncoder(bert, Pooling.Parse(c.Pooling), c.Normalize);
        // a checkpoint is resumed only by the same multi-task configuration and caps
        using var runner = new PhaseRunner(outDir, c.Seed, new TrainerOptions(MaxGradNorm: c.MaxGradNorm), $"{c.ToJson()}|{maxSteps}|{limitPerTask}", observer);
        int index = 0;
        if (c.PretrainObjective is PhaseKind objective)
        {
            if (!runner.Finished(index))
            {
                var texts = c.PretrainData is string file ? DatasetReader.ReadUnlabelled(file, new ColumnOptions()) : PretrainExamples(objective, tasks, c.Seed);
                var pretrain = new TrainConfig { Seed = c.Seed, BatchSize = c.BatchSize, MaxLength = c.MaxLength, Pooling = c.Pooling, Normalize = c.Normalize,
                    Phases = [objective], Pretrain = new PretrainConfig { Epochs = c.PretrainEpochs, Lr = c.Lr } };
                var split = new DataSplits(texts, [], null, LabelSet.FromTrain(texts, null), false);
                runner.Run(index, objective, () => PhaseFactory.Create(objective, encoder, tok, split, pretrain)).Dispose();
            }
            index++;
        }
        using var phase = runner.Run(index, PhaseKind.MultiTask, () =>
            new MultiTaskPhase(new MultiTaskModel(encoder, tasks.Select(t => (t.Config, t.Outputs)).ToList(), c), tasks, tok, c, maxSteps));

        using var fp32 = Autocast.Scope(Precision.Fp32);   // the saved model's scores, as a float32 reload computes them
        var dev = phase.Evaluate("dev", out _);
        var test = phase.Evaluate("test", out _);
        var metrics = new JsonObject
        {
            ["dev"] = dev, ["test"] = test, ["phase_seconds"] = JsonSerializer.SerializeToNode(runner.Seconds),
            ["phase_examples"] = JsonSerializer.SerializeToNode(runner.Examples),
            ["dev_history"] = new JsonArray(phase.DevHistory.Select(d => (JsonNode)d).ToArray()),
            ["training_order"] = c.TrainingOrder, ["pcgrad"] = c.Pcgrad, ["pretrain"] = c.Pretrain,
            ["train_examples"] = new JsonObject(tasks.Select(t => KeyValuePair.Create(t.Config.Name, (JsonNode?)t.Train.Count))),
        };
        if (c.TrainScores) metrics["train"] = phase.Evaluate("train", out _);
        runner.Complete(() =>
        {
            AtomicDirectory.Write(Path.Combine(outDir, "model"), tmp =>
            {
                ModelDirectory.WriteInto(tmp, bert, tok, new SentencePipeline(encoder.Pooling, encoder.Normalize, c.MaxLength), maskedLmHead: false);
                SafeTensorsFile.Save(Path.Combine(tmp, "multitask_heads.safetensors"),
                    phase.Model.named_parameters().Where(p => !p.name.StartsWith("encoder.")).Select(p => (p.name, (Tensor)p.parameter)));
                AtomicFile.WriteAllText(Path.Combine(tmp, "multitask_config.json"), c.ToJson());
            });
            AtomicFile.WriteAllText(Path.Combine(outDir, "metrics.json"), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            RunReport.TryWrite(outDir, observer, card: false);
        });
        return metrics;
    }

    /// <summary>Without pretrain_data. SimCSE: every text of every task. MNRL: positive pairs (label 1; STS scores of
    /// 4 or more). Supervised SimCSE, in place of NLI triplets: each positive pair with the second text of a random
    /// negative pair (label 0; STS scores of 1 or less) of its task as the hard negative.</summary>
    static List<Example> PretrainExamples(PhaseKind objective, IReadOnlyList<TaskData> tasks, int seed)
    {
        if (objective == PhaseKind.SimCse)
            return tasks.SelectMany(t => t.Train).SelectMany(e => e.Text2 is null ? [e.Text] : new[] { e.Text, e.Text2 })
                .Distinct().Select(s => new Example(s, null, "")).ToList();
        var rng = Seeds.For(seed, "pretrain-triplets");
        var examples = new List<Example>();
        foreach (var t in tasks.Where(t => t.Config.Kind != TaskKind.Single))
        {
            bool regression = t.Config.Kind == TaskKind.PairRegression;
            var positive = t.Train.Where(e => regression ? TaskData.Score(e.Label) >= 4 : e.Label == "1").ToList();
            var negative = t.Train.Where(e => regression ? TaskData.Score(e.Label) <= 1 : e.Label == "0").ToList();
            if (objective == PhaseKind.Mnrl) examples.AddRange(positive.Select(e => new Example(e.Text, e.Text2, "1")));
            else if (negative.Count > 0)
                examples.AddRange(positive.Select(e => new Example(e.Text, e.Text2, "") { Negative = negative[rng.Next(negative.Count)].Text2 }));
        }
        if (examples.Count < 2)
            throw new InvalidDataException($"{objective.Name()} pre-training without pretrain_data needs positive pairs (a pair task with label 1 or STS scores ≥ 4)" +
                (objective == PhaseKind.Mnrl ? "" : " and negative ones (label 0 or STS scores ≤ 1)"));
        return examples;
    }
}

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
        var tasks = c.Tasks.Select(t => TaskData.Load(t, c.Seed, limitPerTask)).ToList();
        var (bert, tok, _) = ModelSource.Resolve(c.Model, c.Vocab, c.Seed);
        var encoder = new SentenceEncoder(bert, Pooling.Parse(c.Pooling), c.Normalize);
        // a checkpoint is resumed only by the same multi-task configuration and caps
        using var runner = new PhaseRunner(outDir, c.Seed, new TrainerOptions(), $"{c.ToJson()}|{maxSteps}|{limitPerTask}", observer);
        int index = 0;
        if (c.PretrainObjective is PhaseKind objective)
        {
            if (!runner.Finished(index))
            {
                var texts = PretrainExamples(objective, tasks);
                var pretrain = new TrainConfig { Seed = c.Seed, BatchSize = c.BatchSize, MaxLength = c.MaxLength, Pooling = c.Pooling, Normalize = c.Normalize,
                    Phases = [objective], Pretrain = new PretrainConfig { Epochs = c.PretrainEpochs, Lr = c.Lr } };
                var split = new DataSplits(texts, [], null, LabelSet.FromTrain(texts, null), false);
                runner.Run(index, objective, () => PhaseFactory.Create(objective, encoder, tok, split, pretrain)).Dispose();
            }
            index++;
        }
        using var phase = runner.Run(index, PhaseKind.MultiTask, () =>
            new MultiTaskPhase(new MultiTaskModel(encoder, tasks.Select(t => (t.Config, t.Outputs)).ToList(), c.SharedLayer), tasks, tok, c, maxSteps));

        var dev = phase.Evaluate(test: false, out _);
        var test = phase.Evaluate(test: true, out _);
        var metrics = new JsonObject
        {
            ["dev"] = dev, ["test"] = test, ["phase_seconds"] = JsonSerializer.SerializeToNode(runner.Seconds),
            ["phase_examples"] = JsonSerializer.SerializeToNode(runner.Examples),
            ["dev_history"] = new JsonArray(phase.DevHistory.Select(d => (JsonNode)d).ToArray()),
            ["sampler"] = c.Sampler, ["pcgrad"] = c.Pcgrad, ["pretrain"] = c.Pretrain,
            ["train_examples"] = new JsonObject(tasks.Select(t => KeyValuePair.Create(t.Config.Name, (JsonNode?)t.Train.Count))),
        };
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

    /// <summary>SimCSE: every text of every task. MNRL: positive pairs (label 1; STS scores of 4 or more).</summary>
    static List<Example> PretrainExamples(PhaseKind objective, IReadOnlyList<TaskData> tasks)
    {
        if (objective == PhaseKind.SimCse)
            return tasks.SelectMany(t => t.Train).SelectMany(e => e.Text2 is null ? [e.Text] : new[] { e.Text, e.Text2 })
                .Distinct().Select(s => new Example(s, null, "")).ToList();
        var pairs = tasks.Where(t => t.Config.Kind != TaskKind.Single).SelectMany(t => t.Train.Where(e =>
            t.Config.Kind == TaskKind.PairRegression ? TaskData.Score(e.Label) >= 4 : e.Label == "1"))
            .Select(e => new Example(e.Text, e.Text2, "1")).ToList();
        if (pairs.Count < 2) throw new InvalidDataException("mnrl pre-training needs positive pairs (a pair task with label 1 or STS scores ≥ 4)");
        return pairs;
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Checkpoints;
using PhaseTune.Data;
using PhaseTune.Evaluation;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Training;

/// <summary>A task's examples and, for classification, its labels (from train).</summary>
public sealed record TaskData(TaskConfig Config, List<Example> Train, List<Example> Dev, List<Example> Test, LabelSet? Labels)
{
    /// <summary>Head outputs: classes, 1 for binary pairs (BCE) and for regression.</summary>
    public int Outputs => Config.Kind == TaskKind.PairRegression || (Config.Kind == TaskKind.PairClassification && Labels!.Count == 2) ? 1 : Labels!.Count;

    public static TaskData Load(TaskConfig t, int seed, int? limit)
    {
        List<Example> train, dev, test;
        if (Directory.Exists(t.Data))
        {
            var files = Directory.GetFiles(t.Data);
            string? Find(string split) => files.Where(f => Path.GetFileName(f).StartsWith(split + ".")).Order().FirstOrDefault();
            train = DatasetReader.Read(DataSplits.FindTrain(t.Data));
            var devFile = Find("dev") ?? Find("validation");
            var testFile = Find("test");
            var rng = Seeds.For(seed, "task-split-" + t.Name);
            if (testFile is null && devFile is not null) { test = DatasetReader.Read(devFile); (train, dev) = Cut(train, 0.1, rng); }
            else
            {
                test = testFile is null ? [] : DatasetReader.Read(testFile);
                if (devFile is not null) dev = DatasetReader.Read(devFile); else (train, dev) = Cut(train, 0.1, rng);
            }
        }
        else if (File.Exists(t.Data))
        {
            var all = DatasetReader.Read(t.Data).ToArray();
            Seeds.For(seed, "task-split-" + t.Name).Shuffle(all);
            int nTrain = (int)Math.Round(all.Length * t.Split[0]), nDev = (int)Math.Round(all.Length * t.Split[1]);
            (train, dev, test) = (all[..nTrain].ToList(), all[nTrain..(nTrain + nDev)].ToList(), all[(nTrain + nDev)..].ToList());
        }
        else throw new FileNotFoundException($"task {t.Name}: {t.Data}: no such file or directory");
        if (limit is int n)
        {
            // a seeded sample, not the first rows: some sets are ordered by label
            var pick = Seeds.For(seed, "task-limit-" + t.Name);
            List<Example> Sample(List<Example> xs) { var a = xs.ToArray(); pick.Shuffle(a); return a.Take(n).ToList(); }
            (train, dev, test) = (Sample(train), Sample(dev), Sample(test));
            if (t.Kind != TaskKind.PairRegression)
            {
                var seen = train.Select(e => e.Label).ToHashSet();
                (dev, test) = (dev.Where(e => seen.Contains(e.Label)).ToList(), test.Where(e => seen.Contains(e.Label)).ToList());
            }
        }
        if (train.Count == 0 || dev.Count == 0) throw new InvalidDataException($"task {t.Name}: empty train or dev split");
        if (t.Kind != TaskKind.Single && train.Any(e => e.Text2 is null))
            throw new InvalidDataException($"task {t.Name}: pair task but {train.First(e => e.Text2 is null).Where} has no second text");
        LabelSet? labels = null;
        if (t.Kind == TaskKind.PairRegression)
            foreach (var e in train.Concat(dev).Concat(test))
            {
                if (!double.TryParse(e.Label, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    throw new InvalidDataException($"{e.Where}: regression label '{e.Label}' is not a number");
            }
        else
        {
            labels = LabelSet.FromTrain(train, null);
            labels.CheckKnown(dev, $"task {t.Name} dev");
            labels.CheckKnown(test, $"task {t.Name} test");
        }
        return new TaskData(t, train, dev, test, labels);
    }

    static (List<Example>, List<Example>) Cut(List<Example> all, double fraction, Random rng)
    {
        var arr = all.ToArray();
        rng.Shuffle(arr);
        int n = Math.Max(1, (int)Math.Round(arr.Length * fraction));
        return (arr[n..].ToList(), arr[..n].ToList());
    }

    public static double Score(string label) => double.Parse(label, CultureInfo.InvariantCulture);
}

/// <summary>Trains all tasks on one encoder with the configured sampler (or PCGrad over one batch of every task per
/// step), evaluates every task on dev after each epoch and keeps the weights with the best mean dev metric.</summary>
public sealed class MultiTaskPhase : TrainingPhase
{
    readonly MultiTaskModel _model;
    readonly IReadOnlyList<TaskData> _tasks;
    readonly ITokenizer _tok;
    readonly MultiTaskConfig _c;
    readonly int? _maxSteps;
    readonly IReadOnlyList<(string Name, Parameter Param)> _shared;
    int[][][] _batches = [];
    int[] _sequence = [], _position = [];
    int _epoch;
    readonly BestWeights _best;

    public MultiTaskPhase(MultiTaskModel model, IReadOnlyList<TaskData> tasks, ITokenizer tok, MultiTaskConfig c, int? maxSteps)
    {
        _model = model; _tasks = tasks; _tok = tok; _c = c; _maxSteps = maxSteps;
        StateParameters = Distinct(model.named_parameters().Select(p => (p.name, p.parameter)));
        _shared = StateParameters.Where(p => !p.Name.StartsWith("heads.")).ToList();
        var groups = DecayGroups("shared", _shared, c.Lr, 0.01);
        groups.AddRange(DecayGroups("heads", StateParameters.Where(p => p.Name.StartsWith("heads.")), c.LrHead, 0.01));
        Optimizer = Optimizer.Create("adamw", groups.Where(g => g.Parameters.Count > 0).ToList());
        Schedule = LrSchedule.Create("linear", c.WarmupRatio, StepsPerEpoch * c.Epochs);
        _best = new BestWeights(StateParameters);
    }

    int BatchCount(TaskData t) => (t.Train.Count + _c.BatchSize - 1) / _c.BatchSize;
    int StepsPerEpoch => Math.Min(_maxSteps ?? int.MaxValue, _c.Pcgrad ? _tasks.Max(BatchCount) : _tasks.Sum(BatchCount));
    public override string Name => "multitask";
    public override int MaxEpochs => _c.Epochs;
    public double BestScore => _best.Score;
    public List<double> DevHistory => _best.History;

    public override int BeginEpoch(int epoch)
    {
        _epoch = epoch;
        _batches = _tasks.Select(t => Batching.Shuffled(t.Train.Count, _c.BatchSize, Seeds.For(_c.Seed, "mt-order-" + t.Config.Name, epoch))).ToArray();
        _sequence = TaskSampler.Sequence(_c.Sampler, _batches.Select(b => b.Length).ToArray(), _tasks.Select(t => t.Config.Weight).ToArray(),
            Seeds.For(_c.Seed, "mt-sampler", epoch));
        var seen = new int[_tasks.Count];
        _position = _sequence.Select(t => seen[t]++).ToArray();
        return StepsPerEpoch;
    }

    Tensor TaskLoss(int task, int batch)
    {
        var t = _tasks[task];
        var idx = _batches[task][batch % _batches[task].Length];
        var examples = idx.Select(i => t.Train[i]).ToList();
        var output = _model.Forward(t.Config.Name, examples, _tok, _c.MaxLength);
        if (t.Config.Kind == TaskKind.PairRegression)
            return new MseLoss().Forward(new ScoreBatch(output.squeeze(1), tensor(examples.Select(e => (float)TaskData.Score(e.Label)).ToArray())));
        var labels = examples.Select(e => (long)t.Labels!.IndexOf(e.Label)).ToArray();
        return t.Outputs == 1
            ? new BinaryCrossEntropyLoss().Forward(new ScoreBatch(output.squeeze(1), tensor(labels)))
            : nn.functional.cross_entropy(output, tensor(labels));
    }

    public override Tensor Loss(int index) => TaskLoss(_sequence[index], _position[index]);

    /// <summary>Without PCGrad: the sampled task's loss. With PCGrad: every task's loss on one of its batches, the
    /// shared parameters' per-task gradients combined by gradient surgery, the heads' gradients kept as they are.</summary>
    public override Tensor Backward(int index)
    {
        if (!_c.Pcgrad) return base.Backward(index);
        var perTask = new List<Tensor>();
        Tensor total = zeros(1);
        for (int t = 0; t < _tasks.Count; t++)
        {
            foreach (var (_, p) in _shared) p.grad?.zero_();
            var loss = TaskLoss(t, index);
            loss.backward();
            perTask.Add(cat(_shared.Select(p => p.Param.grad is null ? zeros(p.Param.numel()) : p.Param.grad.reshape(-1)).ToArray()));
            total = total + loss.detach();
        }
        var combined = PCGrad.Combine(perTask, Seeds.For(_c.Seed, "pcgrad", _epoch * 1_000_003 + index));
        long offset = 0;
        using (no_grad())
            foreach (var (_, p) in _shared)
            {
                long n = p.numel();
                if (p.grad is null) p.grad = zeros_like(p);
                p.grad.copy_(combined.narrow(0, offset, n).view(p.shape));
                offset += n;
            }
        return total.squeeze();
    }

    public override void SetTraining(bool training) => _model.train(training);

    /// <summary>Dev (or test) metrics of every task and their mean of the tasks' own metrics.</summary>
    public JsonObject Evaluate(bool test, out double mean)
    {
        _model.eval();
        var result = new JsonObject();
        var scores = new List<double>();
        using var _ = no_grad();
        foreach (var t in _tasks)
        {
            var examples = test ? t.Test : t.Dev;
            if (examples.Count == 0) continue;
            var outputs = new List<float[]>();
            foreach (var chunk in examples.Chunk(64))
            {
                using var scope = NewDisposeScope();
                var o = _model.Forward(t.Config.Name, chunk, _tok, _c.MaxLength);
                var rows = o.contiguous().data<float>().ToArray();
                int k = (int)o.shape[1];
                for (int r = 0; r < chunk.Length; r++) outputs.Add(rows[(r * k)..((r + 1) * k)]);
            }
            double score;
            if (t.Config.Kind == TaskKind.PairRegression)
            {
                var m = RegressionMetrics.Compute(examples.Select(e => TaskData.Score(e.Label)).ToArray(), outputs.Select(o => (double)o[0]).ToArray());
                result[t.Config.Name] = m.ToJson();
                score = t.Config.Metric == "spearman" ? m.Spearman : m.Pearson;
            }
            else
            {
                var pred = outputs.Select(o => t.Outputs == 1 ? (o[0] > 0 ? 1 : 0) : Array.IndexOf(o, o.Max())).ToArray();
                var m = ClassificationMetrics.Compute(examples.Select(e => t.Labels!.IndexOf(e.Label)).ToArray(), pred, t.Labels!.Names);
                result[t.Config.Name] = m.ToJson();
                score = m.Get(t.Config.Metric);
            }
            result[t.Config.Name]!["metric"] = t.Config.Metric;
            result[t.Config.Name]!["score"] = score;
            scores.Add(score);
        }
        mean = scores.Count == 0 ? 0 : scores.Average();
        result["mean"] = mean;
        return result;
    }

    public override bool EndEpoch(int epoch, ITrainingObserver observer)
    {
        Evaluate(test: false, out double mean);
        _best.Offer(mean);
        observer.Message($"multitask epoch {epoch + 1}: mean dev metric {mean:F4} (best {BestScore:F4})");
        return false;
    }

    public override void Finish() => _best.Restore();

    public override JsonObject SaveExtra(List<(string, Tensor)> tensors) => _best.Save(tensors);

    public override void LoadExtra(JsonObject extra, Func<string, Tensor?> tensors) => _best.Load(extra, tensors);
}

/// <summary>Runs a multi-task configuration end to end: data, optional SimCSE / MNRL pre-training, multi-task
/// training, dev and test metrics per task (DIR/metrics.json), the encoder and heads (DIR/model).</summary>
public static class MultiTask
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

using System.Text.Json.Nodes;
using PhaseTune.Evaluation;
using PhaseTune.IO;
using PhaseTune.Losses;
using PhaseTune.Phases;
using PhaseTune.Text;
using PhaseTune.Training;
using PhaseTune.Training.Optimization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.MultiTask;

/// <summary>Trains all tasks on one encoder in the configured training order (or PCGrad over one batch of every task
/// per step), evaluates every task on dev after each epoch and keeps the weights with the best mean dev metric.</summary>
public sealed class MultiTaskPhase : TrainingPhase
{
    readonly MultiTaskModel _model;
    readonly IReadOnlyList<TaskData> _tasks;
    readonly ITokenizer _tok;
    readonly MultiTaskConfig _c;
    readonly int? _maxSteps;
    readonly TaskSampler _sampler;
    readonly IReadOnlyList<(string Name, Parameter Param)> _shared;
    int[][][] _batches = [];
    int[] _sequence = [], _position = [];
    int _epoch;
    readonly BestWeights _best;

    public MultiTaskPhase(MultiTaskModel model, IReadOnlyList<TaskData> tasks, ITokenizer tok, MultiTaskConfig c, int? maxSteps)
    {
        _model = model; _tasks = tasks; _tok = tok; _c = c; _maxSteps = maxSteps;
        if (c.FreezeEncoder) foreach (var p in model.Encoder.parameters()) p.requires_grad = false;
        StateParameters = Distinct(model.named_parameters().Select(p => (p.name, p.parameter)));
        _shared = StateParameters.Where(p => !p.Name.StartsWith("heads.") && p.Param.requires_grad).ToList();
        var groups = ParameterGroup.ForWeightDecay("shared", _shared, c.Lr, c.WeightDecay);
        groups.AddRange(ParameterGroup.ForWeightDecay("heads", StateParameters.Where(p => p.Name.StartsWith("heads.")), c.LrHead, c.WeightDecay));
        Optimizer = Optimizer.Create("adamw", groups.Where(g => g.Parameters.Count > 0).ToList());
        var order = c.TaskOrder.Select(n => tasks.Select(t => t.Config.Name).ToList().IndexOf(n)).ToArray();
        _sampler = new TaskSampler(c.TrainingOrder, order, c.Epochs, tasks.Select(BatchCount).ToArray(), tasks.Select(t => t.Config.Weight).ToArray());
        Schedule = LrSchedule.Create(c.Schedule, c.WarmupRatio, Enumerable.Range(0, MaxEpochs).Sum(StepsIn));
        _best = new BestWeights(StateParameters);
    }

    int BatchCount(TaskData t) => (t.Train.Count + _c.BatchSize - 1) / _c.BatchSize;
    int StepsIn(int epoch) => Math.Min(_maxSteps ?? int.MaxValue, _c.Pcgrad ? _tasks.Max(BatchCount) : _sampler.Length(epoch));
    public MultiTaskModel Model => _model;
    public override string Name => PhaseKind.MultiTask.Name();
    public override int ExampleCount => _tasks.Sum(t => t.Train.Count);
    /// <summary>PCGrad trains every task each step, so the training order does not stretch its epochs.</summary>
    public override int MaxEpochs => _c.Pcgrad ? _c.Epochs : _sampler.Epochs;
    public double BestScore => _best.Score;
    public List<double> DevHistory => _best.History;

    public override int BeginEpoch(int epoch)
    {
        _epoch = epoch;
        int steps = StepsIn(epoch);
        _sequence = _c.Pcgrad ? [] : _sampler.Sequence(epoch, Seeds.For(_c.Seed, "mt-sampler", epoch))[..steps];
        var seen = new int[_tasks.Count];
        _position = _sequence.Select(t => seen[t]++).ToArray();
        // a task the order repeats gets a fresh shuffle for each pass
        _batches = _tasks.Select((t, k) =>
        {
            int passes = Math.Max(1, (seen[k] + BatchCount(t) - 1) / BatchCount(t));
            return Enumerable.Range(0, passes).SelectMany(p => BatchOrder.Shuffled(t.Train.Count, _c.BatchSize,
                Seeds.For(_c.Seed, "mt-order-" + t.Config.Name + (p == 0 ? "" : $"-pass{p}"), epoch))).ToArray();
        }).ToArray();
        return steps;
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
    /// shared parameters' per-task gradients weighted by the tasks' weights and combined by gradient surgery (sum or
    /// mean), each head's gradient (only its own task's) kept as it is. Returns the weighted sum (or mean) of the losses.</summary>
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
            total = total + loss.detach() * _tasks[t].Config.Weight;
        }
        var combined = PCGrad.Combine(perTask, Seeds.For(_c.Seed, "pcgrad", _epoch * 1_000_003 + index), _c.PcgradReduction,
            _tasks.Select(t => t.Config.Weight).ToArray());
        long offset = 0;
        using (no_grad())
            foreach (var (_, p) in _shared)
            {
                long n = p.numel();
                if (p.grad is null) p.grad = zeros_like(p);
                p.grad.copy_(combined.narrow(0, offset, n).view(p.shape));
                offset += n;
            }
        return (_c.PcgradReduction == "mean" ? total / _tasks.Count : total).squeeze();
    }

    public override void SetTraining(bool training) => _model.train(training);

    /// <summary>Train, dev or test metrics of every task and the mean of the tasks' own metrics.</summary>
    public JsonObject Evaluate(string split, out double mean)
    {
        _model.eval();
        var result = new JsonObject();
        var scores = new List<double>();
        using var _ = no_grad();
        foreach (var t in _tasks)
        {
            var examples = split switch { "train" => t.Train, "dev" => t.Dev, "test" => t.Test, _ => throw new ArgumentException($"unknown split '{split}'") };
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
        Evaluate("dev", out double mean);
        _best.Offer(mean);
        observer.Message($"multitask epoch {epoch + 1}: mean dev metric {mean:F4} (best {BestScore:F4})");
        return false;
    }

    public override void Finish() => _best.Restore();

    public override JsonObject SaveExtra(List<(string, Tensor)> tensors) => _best.Save(tensors);

    public override void LoadExtra(JsonObject extra, Func<string, Tensor?> tensors) => _best.Load(extra, tensors);
}

using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.Evaluation;
using PhaseTune.IO;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using PhaseTune.Training;
using PhaseTune.Training.Optimization;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Phase 3: the MLP head (<see cref="HeadSpec"/>) on the sentence vector, separate encoder and head learning
/// rates (optionally one per head layer), warmup then linear decay, early stopping on the dev metric with patience,
/// best weights restored at the end. With no epochs (<c>ft.max_epochs = 0</c>) the model is the one before
/// fine-tuning: the encoder as the earlier phases left it and the head as the run's seed initialised it.</summary>
public sealed class FineTunePhase : TrainingPhase
{
    readonly TextClassifier _model;
    readonly ClassificationLoss _loss;
    readonly IReadOnlyList<Example> _train, _dev;
    readonly LabelSet _labels;
    readonly TrainConfig _c;
    readonly BestWeights _best;
    readonly TokenEncoding[] _encoded;

    public FineTunePhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> train, IReadOnlyList<Example> dev,
        LabelSet labels, TrainConfig c)
    {
        _train = train; _dev = dev; _labels = labels; _c = c;
        var head = new ClassificationHead(encoder.Dimension, labels.Count, c.Ft.Head);
        _model = new TextClassifier(encoder, head, tok, labels.Names, c.MaxLength);
        Tensor? weights = null;
        if (c.Ft.ClassWeights)
        {
            var counts = labels.Names.Select(n => (double)train.Count(e => e.Label == n)).ToArray();
            weights = tensor(counts.Select(n => (float)(train.Count / (labels.Count * Math.Max(n, 1)))).ToArray()).DetachFromDisposeScope();
        }
        _loss = new ClassificationLoss(encoder, head, weights);
        var encoderParams = encoder.named_parameters().Select(p => ("encoder." + p.name, p.parameter)).ToList();
        var headParams = head.named_parameters().Select(p => ("head." + p.name, p.parameter)).ToList();
        StateParameters = Distinct(encoderParams.Concat(headParams));
        double wd = c.Ft.WeightDecay ?? c.WeightDecay;
        // one learning rate for the head, or one per linear layer (the MASSIVE report's 0.01 / 0.009)
        var groups = c.Ft.LrHeadLayers is { } perLayer
            ? Enumerable.Range(0, head.Spec.Layers).SelectMany(i => ParameterGroup.ForWeightDecay($"head.{head.Spec.LayerName(i)}",
                head.LayerParameters(i).Select(p => ("head." + p.Name, p.Param)), perLayer[i], wd)).ToList()
            : ParameterGroup.ForWeightDecay("head", headParams, c.Ft.LrHead, wd);
        if (c.Ft.FreezeEncoder) foreach (var (_, p) in encoderParams) p.requires_grad = false;
        else groups.InsertRange(0, c.Ft.Llrd is double decay
            ? LayerwiseLrDecay.Groups("encoder", encoderParams, encoder.Encoder.Config.NumHiddenLayers, c.Ft.Lr, decay, wd)
            : ParameterGroup.ForWeightDecay("encoder", encoderParams, c.Ft.Lr, wd));
        Optimizer = Optimizer.Create(c.Ft.Optimizer, groups.Where(g => g.Parameters.Count > 0).ToList(), c.Ft.Momentum, c.Ft.Eps);
        Schedule = LrSchedule.Create(c.Ft.Schedule, c.Ft.WarmupRatio, BatchesPerEpoch * c.Ft.MaxEpochs, c.Ft.MinLrRatio,
            c.Ft.EtaMin, c.Ft.TMax, BatchesPerEpoch);
        _best = new BestWeights(StateParameters);
        _encoded = train.Select(e => tok.Encode(e.Text, e.Text2, maxLength: c.MaxLength)).ToArray();
    }

    public TextClassifier Model => _model;
    int BatchSize => _c.Ft.BatchSize ?? _c.BatchSize;
    int BatchesPerEpoch => (_train.Count + BatchSize - 1) / BatchSize;
    public double BestScore => _best.Score;
    public int BestEpoch { get; private set; } = -1;
    int _badEpochs;
    public List<double> DevHistory => _best.History;

    public override string Name => PhaseKind.FineTune.Name();
    public override int ExampleCount => _train.Count;
    public override int MaxEpochs => _c.Ft.MaxEpochs;

    public override int BeginEpoch(int epoch)
    {
        // never grouped by length: lengths follow the labels (SNIPS: PlayMusic 7.1 words, BookRestaurant 11.9), so
        // length-sorted batches would be nearly single-class; with padding skipped, grouping would save little here
        EpochBatches = BatchOrder.Shuffled(_train.Count, BatchSize, Seeds.For(_c.Seed, "ft-order", epoch));
        return EpochBatches.Length;
    }

    public override Tensor Loss(int index)
    {
        var idx = EpochBatches[index];
        var texts = TokenBatch.Collate(_model.Tokenizer, idx.Select(i => _encoded[i]));
        var labels = tensor(idx.Select(i => (long)_labels.IndexOf(_train[i].Label)).ToArray());
        return _loss.Forward(new LabelBatch(texts, labels));
    }

    public override void SetTraining(bool training)
    {
        _model.Encoder.train(training && !_c.Ft.FreezeEncoder);
        _model.Head.train(training);
    }

    public ClassificationMetrics Evaluate(IReadOnlyList<Example> examples) => ClassifierEvaluation.Evaluate(_model, examples, _labels);

    public override bool EndEpoch(int epoch, ITrainingObserver observer)
    {
        double score = Evaluate(_dev).Get(_c.Ft.Metric);
        if (_best.Offer(score)) { BestEpoch = epoch; _badEpochs = 0; }
        else _badEpochs++;
        observer.Message($"ft epoch {epoch + 1}: dev {_c.Ft.Metric} {score:F4} (best {BestScore:F4} at epoch {BestEpoch + 1})");
        return epoch + 1 >= _c.Ft.MinEpochs && _badEpochs >= _c.Ft.Patience;
    }

    public override void Finish() => _best.Restore();

    public override JsonObject SaveExtra(List<(string, Tensor)> tensors)
    {
        var extra = _best.Save(tensors);
        extra["best_epoch"] = BestEpoch;
        extra["bad_epochs"] = _badEpochs;
        return extra;
    }

    public override void LoadExtra(JsonObject extra, Func<string, Tensor?> tensors)
    {
        _best.Load(extra, tensors);
        BestEpoch = extra["best_epoch"]!.GetValue<int>();
        _badEpochs = extra["bad_epochs"]!.GetValue<int>();
    }
}

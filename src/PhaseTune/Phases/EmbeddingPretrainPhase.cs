using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Models;
using PhaseTune.Text;
using PhaseTune.Training;
using PhaseTune.Training.Optimization;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>What the embedding pre-training objectives share: the training texts tokenised once, a same-label
/// partner per example re-drawn every epoch, AdamW (or SGD with momentum) with warmup then linear decay (or a cosine),
/// optionally layer-wise learning-rate decay, over shuffled batches. Each
/// objective (<see cref="SimCsePhase"/>, <see cref="SupervisedSimCsePhase"/>, <see cref="MnrlPhase"/>,
/// <see cref="SupConPhase"/>, <see cref="SimClrPhase"/>) supplies its loss.</summary>
public abstract class EmbeddingPretrainPhase : TrainingPhase
{
    protected readonly SentenceEncoder Encoder;
    protected readonly ITokenizer Tokenizer;
    protected readonly IReadOnlyList<Example> Data;
    protected readonly TrainConfig Config;
    protected readonly Dictionary<string, int[]> ByLabel;
    protected readonly Dictionary<string, long> LabelIndex;
    readonly LabelSampler _sampler;
    readonly TokenEncoding[] _encoded;

    /// <summary>Per example, another example of its label (itself when it is its label's only one).</summary>
    protected int[] Partner = [];

    protected EmbeddingPretrainPhase(PhaseKind kind, SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> data, TrainConfig c)
    {
        Kind = kind; Encoder = encoder; Tokenizer = tok; Data = data; Config = c;
        if (data.Count < 2) throw new InvalidDataException($"{kind.Name()}: fewer than two training examples");
        _encoded = data.Select(e => tok.Encode(e.Text, maxLength: c.MaxLength)).ToArray();
        ByLabel = data.Select((e, i) => (e.Label, i)).GroupBy(x => x.Label).ToDictionary(g => g.Key, g => g.Select(x => x.i).ToArray());
        LabelIndex = ByLabel.Keys.Select((l, i) => (l, (long)i)).ToDictionary(x => x.l, x => x.Item2);
        _sampler = new LabelSampler(data.Select(e => e.Label).ToArray());
        var p = c.Pretrain;
        var encoderParams = encoder.named_parameters().Select(x => ("encoder." + x.name, x.parameter)).ToList();
        if (p.Projection.Length > 0) Projection = new ProjectionHead(encoder.Dimension, p.Projection);
        var projectionParams = Projection?.named_parameters().Select(x => ("projection." + x.name, x.parameter)).ToList() ?? [];
        ViewDropout = new FastDropout(p.ViewDropout);
        StateParameters = Distinct(encoderParams.Concat(projectionParams));
        double wd = p.WeightDecay ?? c.WeightDecay;
        // the projection head sits above the encoder, so it trains at the top rate under layer-wise decay
        var groups = p.Llrd is double decay
            ? LayerwiseLrDecay.Groups(kind.Name(), encoderParams, encoder.Encoder.Config.NumHiddenLayers, p.Lr, decay, wd)
            : ParameterGroup.ForWeightDecay(kind.Name(), encoderParams, p.Lr, wd);
        if (projectionParams.Count > 0) groups.AddRange(ParameterGroup.ForWeightDecay(kind.Name() + ".projection", projectionParams, p.Lr, wd));
        Optimizer = Optimizer.Create(p.Optimizer, groups.Where(g => g.Parameters.Count > 0).ToList(), p.Momentum);
        int perEpoch = (data.Count + BatchSize - 1) / BatchSize;
        Schedule = LrSchedule.Create(p.Schedule, p.WarmupRatio, perEpoch * p.Epochs, 0, p.EtaMin, p.TMax, perEpoch);
    }

    /// <summary>SupCon / SimCLR's projection head (<c>pretrain.projection</c>), dropped after the phase.</summary>
    protected readonly ProjectionHead? Projection;
    /// <summary>SupCon / SimCLR's augmentation: dropout on each view's sentence vector (<c>pretrain.view_dropout</c>).</summary>
    protected readonly FastDropout ViewDropout;

    /// <summary>A view for the contrastive loss: the sentence vectors (B, C) through the view dropout and the
    /// projection head, if any.</summary>
    protected Tensor View(Tensor pooled)
    {
        var x = ViewDropout.forward(pooled);
        return Projection is null ? x : Projection.forward(x);
    }

    public PhaseKind Kind { get; }
    public override string Name => Kind.Name();
    public override int ExampleCount => Data.Count;
    public override int MaxEpochs => Config.Pretrain.Epochs;
    int BatchSize => Config.Pretrain.BatchSize ?? Config.BatchSize;

    /// <summary>The objective's paper default, used when the config sets no temperature.</summary>
    protected abstract double DefaultTemperature { get; }
    protected double Temperature => Config.Pretrain.Temperature ?? DefaultTemperature;

    public override int BeginEpoch(int epoch)
    {
        var rng = Seeds.For(Config.Seed, Name + "-pairs", epoch);
        Partner = Enumerable.Range(0, Data.Count).Select(i => Other(i, true, rng)).ToArray();
        PrepareEpoch(epoch, rng);
        EpochBatches = BatchOrder.Shuffled(Data.Count, BatchSize, Seeds.For(Config.Seed, Name + "-order", epoch));
        return EpochBatches.Length;
    }

    /// <summary>Objective-specific draws of an epoch, after the partners, from the same generator.</summary>
    protected virtual void PrepareEpoch(int epoch, Random rng) { }

    /// <summary>A random example of the same label (never i itself unless it is alone) or of another label.</summary>
    protected int Other(int i, bool sameLabel, Random rng) => sameLabel ? _sampler.Same(i, rng) : _sampler.Other(i, rng);

    /// <summary>The examples' own texts, tokenised once in the constructor.</summary>
    protected TokenBatch Rows(IEnumerable<int> rows) => TokenBatch.Collate(Tokenizer, rows.Select(i => _encoded[i]));
    protected Tensor Encode(TokenBatch t) => Encoder.forward(t.Ids, t.Mask, t.Types);   // (B, C)
    protected Tensor Encode(IEnumerable<string> texts) => Encode(TokenBatch.Encode(Tokenizer, texts, Config.MaxLength));

    public override void SetTraining(bool training)
    {
        Encoder.train(training);
        ViewDropout.train(training);
        Projection?.train(training);
    }

    public override void Dispose()
    {
        Projection?.Dispose();
        ViewDropout.Dispose();
        base.Dispose();
    }
}

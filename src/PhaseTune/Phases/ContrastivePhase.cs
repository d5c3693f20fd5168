using PhaseTune.Augmentation;
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

/// <summary>Phase 2: Siamese cosine regression on balanced pairs of the imbalance-corrected training set.
/// Pairs are built once from the run seed, reshuffled every epoch.</summary>
public sealed class ContrastivePhase : TrainingPhase
{
    readonly SentenceEncoder _encoder;
    readonly CosineSimilarityLoss _loss;
    readonly ITokenizer _tok;
    readonly TrainConfig _c;
    readonly (TokenEncoding A, TokenEncoding B)[] _pairs;

    /// <param name="dev">dev examples to select the best weights on (pairs built as for training), or null</param>
    public ContrastivePhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> train, LabelSet labels, TrainConfig c,
        IReadOnlyList<Example>? dev = null)
    {
        _encoder = encoder; _tok = tok; _c = c;
        if (c.Cl.Projection == "linear") encoder.AddProjection();
        var corrected = ImbalanceCorrection.Apply(train, c.Cl.Imbalance, c.Cl.MinWords, Seeds.For(c.Seed, "imbalance"));
        Pairs = PairBuilder.Build(corrected, labels, c.Cl.Aug, Seeds.For(c.Seed, "pairs"));
        if (Pairs.Count == 0) throw new InvalidDataException("contrastive phase: no training pairs (are all texts identical?)");
        var encoded = new Dictionary<string, TokenEncoding>(StringComparer.Ordinal);
        TokenEncoding Enc(string t) => encoded.TryGetValue(t, out var e) ? e : encoded[t] = tok.Encode(t, maxLength: c.MaxLength);
        _pairs = Pairs.Select(p => (Enc(p.A), Enc(p.B))).ToArray();
        _loss = new CosineSimilarityLoss(encoder);
        StateParameters = Distinct(encoder.named_parameters().Select(p => ("encoder." + p.name, p.parameter)));
        Optimizer = new FusedAdamW(ParameterGroup.ForWeightDecay(Name, StateParameters, c.Cl.Lr, c.Cl.WeightDecay ?? c.WeightDecay), eps: c.Cl.Eps);
        Schedule = LrSchedule.Create(c.Cl.Schedule, c.Cl.WarmupRatio, BatchesPerEpoch * c.Cl.Epochs);
        // built like the training pairs, at most DevPairs of them (shuffled and balanced), so a check stays cheap
        var devPairs = dev is { Count: > 1 } ? PairBuilder.Build(dev, labels, c.Cl.Aug, Seeds.For(c.Seed, "dev-pairs")).Take(DevPairs).ToList() : [];
        if (devPairs.Select(p => p.Target).Distinct().Count() > 1)
        {
            var devEncoded = devPairs.Select(p => (Enc(p.A), Enc(p.B))).ToArray();
            var targets = devPairs.Select(p => (double)p.Target).ToArray();
            Selection = new DevSelection(StateParameters, () => DevSpearman(devEncoded, targets), c.SelectChecks);
        }
    }

    /// <summary>Spearman correlation of the pairs' cosine similarity with their targets.</summary>
    double DevSpearman((TokenEncoding A, TokenEncoding B)[] pairs, double[] targets)
    {
        var cosines = new List<double>();
        foreach (var chunk in pairs.Chunk(BatchSize))
        {
            using var scope = NewDisposeScope();   // one batch's activations at a time, not the whole dev set's
            var a = TokenBatch.Collate(_tok, chunk.Select(p => p.A));
            var b = TokenBatch.Collate(_tok, chunk.Select(p => p.B));
            var cos = nn.functional.cosine_similarity(_encoder.forward(a.Ids, a.Mask, a.Types), _encoder.forward(b.Ids, b.Mask, b.Types), dim: 1);
            cosines.AddRange(cos.data<float>().ToArray().Select(x => (double)x));
        }
        return RegressionMetrics.Compute(targets, cosines).Spearman;
    }

    public List<TextPair> Pairs { get; }

    /// <summary>The most dev pairs a selection check encodes.</summary>
    public const int DevPairs = 1000;
    int BatchSize => _c.Cl.BatchSize ?? _c.BatchSize;
    public int BatchesPerEpoch => (Pairs.Count + BatchSize - 1) / BatchSize;
    public override string Name => PhaseKind.Contrastive.Name();
    public override int ExampleCount => Pairs.Count;
    public override int MaxEpochs => _c.Cl.Epochs;

    public override int BeginEpoch(int epoch)
    {
        EpochBatches = BatchOrder.Shuffled(Pairs.Count, BatchSize, Seeds.For(_c.Seed, "cl-order", epoch),
            _c.GroupByLength ? i => Math.Max(_pairs[i].A.Length, _pairs[i].B.Length) : null);
        return EpochBatches.Length;
    }

    public override Tensor Loss(int index) => _loss.Forward(MakeBatch(EpochBatches[index]));

    PairBatch MakeBatch(int[] idx) => new(
        TokenBatch.Collate(_tok, idx.Select(i => _pairs[i].A)),
        TokenBatch.Collate(_tok, idx.Select(i => _pairs[i].B)),
        tensor(idx.Select(i => Pairs[i].Target).ToArray()));

    public override void SetTraining(bool training) => _encoder.train(training);
}

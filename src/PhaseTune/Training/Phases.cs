using PhaseTune.Data;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Training;

/// <summary>Shared by the phases: batching and tokenisation.</summary>
public static class Batching
{
    /// <summary>Shuffled index batches of an epoch; one batch may be smaller. Given lengths, HF Trainer's
    /// group_by_length: the shuffled order is cut into mega-batches of 50 batches and each is sorted by length, so a
    /// batch holds texts of similar length and carries little padding; the batches are then shuffled too.</summary>
    public static int[][] Shuffled(int count, int batchSize, Random rng, Func<int, int>? length = null)
    {
        var idx = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(idx);
        if (length is null) return idx.Chunk(batchSize).ToArray();
        var batches = idx.Chunk(50 * batchSize).SelectMany(mega => mega.OrderByDescending(length).Chunk(batchSize)).ToArray();
        rng.Shuffle(batches);
        return batches;
    }

    public static TokenBatch Tokenize(ITokenizer tok, IEnumerable<string> texts, int maxLength) =>
        TokenBatch.From(Collator.Pad(texts.Select(t => tok.Encode(t, maxLength: maxLength)).ToArray(), tok.PadId));

    public static TokenBatch TokenizePairs(ITokenizer tok, IEnumerable<(string A, string? B)> texts, int maxLength) =>
        TokenBatch.From(Collator.Pad(texts.Select(t => tok.Encode(t.A, t.B, maxLength: maxLength)).ToArray(), tok.PadId));

    /// <summary>Pads pre-tokenised rows: texts that stay the same every epoch are tokenised once, not every step.</summary>
    public static TokenBatch Collate(ITokenizer tok, IEnumerable<Text.Encoding> rows) =>
        TokenBatch.From(Collator.Pad(rows.ToArray(), tok.PadId));
}

/// <summary>Phase 1: TSDAE on the training texts, noise re-drawn every epoch.</summary>
public sealed class DaePhase : TrainingPhase
{
    readonly SentenceEncoder _encoder;
    readonly DenoisingAutoEncoderLoss _loss;
    readonly ITokenizer _tok;
    readonly IReadOnlyList<string> _texts;
    readonly TrainConfig _c;
    readonly Text.Encoding[] _clean;
    string[] _noisy = [];

    public DaePhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<string> texts, TrainConfig c)
    {
        _encoder = encoder; _tok = tok; _texts = texts; _c = c;
        _clean = texts.Select(t => tok.Encode(t, maxLength: c.MaxLength)).ToArray();
        _loss = new DenoisingAutoEncoderLoss(encoder, c.Dae.TieDecoder);
        StateParameters = Distinct(encoder.named_parameters().Select(p => ("encoder." + p.name, p.parameter))
            .Concat(_loss.Decoder.named_parameters().Select(p => ("decoder." + p.name, p.parameter))));
        Optimizer = new AdamW(DecayGroups("dae", StateParameters, c.Dae.Lr, c.WeightDecay));
        int perEpoch = (texts.Count + BatchSize - 1) / BatchSize;
        Schedule = LrSchedule.Create(c.Dae.Schedule, c.Dae.WarmupRatio, perEpoch * c.Dae.Epochs);
    }

    int BatchSize => _c.Dae.BatchSize ?? _c.BatchSize;
    public override string Name => "dae";
    public override int MaxEpochs => _c.Dae.Epochs;

    public override int BeginEpoch(int epoch)
    {
        var rng = Seeds.For(_c.Seed, "dae-noise", epoch);
        _noisy = _texts.Select(t => DeletionNoise.Apply(t, _c.Dae.DeletionRatio, rng)).ToArray();
        EpochBatches = Batching.Shuffled(_texts.Count, BatchSize, Seeds.For(_c.Seed, "dae-order", epoch), _c.GroupByLength ? i => _clean[i].Length : null);
        return EpochBatches.Length;
    }

    public override Tensor Loss(int index) => _loss.Forward(MakeBatch(EpochBatches[index]));

    DaeBatch MakeBatch(int[] idx) => new(
        Batching.Tokenize(_tok, idx.Select(i => _noisy[i]), _c.MaxLength),
        Batching.Collate(_tok, idx.Select(i => _clean[i])));

    public override void SetTraining(bool training) => _loss.train(training);
}

/// <summary>Phase 2: Siamese cosine regression on balanced pairs of the imbalance-corrected training set.
/// Pairs are built once from the run seed, reshuffled every epoch.</summary>
public sealed class ContrastivePhase : TrainingPhase
{
    readonly SentenceEncoder _encoder;
    readonly CosineSimilarityLoss _loss;
    readonly ITokenizer _tok;
    readonly TrainConfig _c;
    readonly (Text.Encoding A, Text.Encoding B)[] _pairs;

    public ContrastivePhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> train, LabelSet labels, TrainConfig c)
    {
        _encoder = encoder; _tok = tok; _c = c;
        if (c.Cl.Projection == "linear") encoder.AddProjection();
        var corrected = ImbalanceCorrection.Apply(train, c.Cl.Imbalance, c.Cl.MinWords, Seeds.For(c.Seed, "imbalance"));
        Pairs = PairBuilder.Build(corrected, labels, c.Cl.Aug, Seeds.For(c.Seed, "pairs"));
        if (Pairs.Count == 0) throw new InvalidDataException("contrastive phase: no training pairs (are all texts identical?)");
        var encoded = new Dictionary<string, Text.Encoding>(StringComparer.Ordinal);
        Text.Encoding Enc(string t) => encoded.TryGetValue(t, out var e) ? e : encoded[t] = tok.Encode(t, maxLength: c.MaxLength);
        _pairs = Pairs.Select(p => (Enc(p.A), Enc(p.B))).ToArray();
        _loss = new CosineSimilarityLoss(encoder);
        StateParameters = Distinct(encoder.named_parameters().Select(p => ("encoder." + p.name, p.parameter)));
        Optimizer = new AdamW(DecayGroups("cl", StateParameters, c.Cl.Lr, c.WeightDecay));
        Schedule = LrSchedule.Create(c.Cl.Schedule, c.Cl.WarmupRatio, BatchesPerEpoch * c.Cl.Epochs);
    }

    public List<TextPair> Pairs { get; }
    int BatchSize => _c.Cl.BatchSize ?? _c.BatchSize;
    public int BatchesPerEpoch => (Pairs.Count + BatchSize - 1) / BatchSize;
    public override string Name => "cl";
    public override int MaxEpochs => _c.Cl.Epochs;

    public override int BeginEpoch(int epoch)
    {
        EpochBatches = Batching.Shuffled(Pairs.Count, BatchSize, Seeds.For(_c.Seed, "cl-order", epoch),
            _c.GroupByLength ? i => Math.Max(_pairs[i].A.Length, _pairs[i].B.Length) : null);
        return EpochBatches.Length;
    }

    public override Tensor Loss(int index) => _loss.Forward(MakeBatch(EpochBatches[index]));

    PairBatch MakeBatch(int[] idx) => new(
        Batching.Collate(_tok, idx.Select(i => _pairs[i].A)),
        Batching.Collate(_tok, idx.Select(i => _pairs[i].B)),
        tensor(idx.Select(i => Pairs[i].Target).ToArray()));

    public override void SetTraining(bool training) => _encoder.train(training);
}

/// <summary>Phases 1 and 2 together (the paper's Joint variant): L_DAE + L_CL on one batch of each per step
/// ("sum"), or one batch of each in turn ("alternate"). The shorter stream cycles.</summary>
public sealed class JointPhase : TrainingPhase
{
    readonly DaePhase _dae;
    readonly ContrastivePhase _cl;
    readonly TrainConfig _c;
    int _nDae, _nCl;

    public JointPhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> train, LabelSet labels, TrainConfig c)
    {
        _c = c;
        var inner = c with { Dae = c.Dae with { Epochs = c.Joint.Epochs }, Cl = c.Cl with { Epochs = c.Joint.Epochs } };
        _cl = new ContrastivePhase(encoder, tok, train, labels, inner);
        _dae = new DaePhase(encoder, tok, train.Select(e => e.Text).ToList(), inner);
        StateParameters = Distinct(_dae.StateParameters.Concat(_cl.StateParameters));
        Optimizer = new AdamW(DecayGroups("joint", StateParameters, c.Joint.Lr, c.WeightDecay));
        int daeBatches = (train.Count + (c.Dae.BatchSize ?? c.BatchSize) - 1) / (c.Dae.BatchSize ?? c.BatchSize);
        int steps = Steps(daeBatches, _cl.BatchesPerEpoch);
        Schedule = LrSchedule.Create("constant", 0, steps * c.Joint.Epochs);
    }

    int Steps(int nDae, int nCl) => _c.Joint.Mode == "sum" ? Math.Max(nDae, nCl) : 2 * Math.Max(nDae, nCl);
    public override string Name => "joint";
    public override int MaxEpochs => _c.Joint.Epochs;

    public override int BeginEpoch(int epoch)
    {
        _nDae = _dae.BeginEpoch(epoch);
        _nCl = _cl.BeginEpoch(epoch);
        return Steps(_nDae, _nCl);
    }

    public override Tensor Loss(int index)
    {
        if (_c.Joint.Mode == "sum") return _dae.Loss(index % _nDae) + _cl.Loss(index % _nCl);
        int k = index / 2;
        return index % 2 == 0 ? _dae.Loss(k % _nDae) : _cl.Loss(k % _nCl);
    }

    public override void SetTraining(bool training) { _dae.SetTraining(training); _cl.SetTraining(training); }

    public override void Dispose()
    {
        base.Dispose();
        _dae.Dispose();
        _cl.Dispose();
    }
}

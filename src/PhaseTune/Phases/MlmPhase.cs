using PhaseTune.Augmentation;
using PhaseTune.IO;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using PhaseTune.Training;
using PhaseTune.Training.Optimization;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Masked-LM pre-training of the encoder on the training and unlabelled texts, masks redrawn every epoch.
/// At the end the trained head becomes the encoder's masked-LM head, so a saved model loads back as a masked-LM
/// checkpoint and a following DAE phase's decoder starts from it.</summary>
public sealed class MlmPhase : TrainingPhase
{
    readonly SentenceEncoder _encoder;
    readonly ITokenizer _tok;
    readonly TrainConfig _c;
    readonly TokenEncoding[] _rows;
    readonly MaskedLmLoss _loss;
    readonly int _stepsPerEpoch, _totalSteps;
    (int[] Ids, long[] Labels)[] _masked = [];

    /// <param name="dev">dev texts to select the best weights on by masked-LM loss (one fixed masking), or null</param>
    public MlmPhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<string> texts, TrainConfig c, IReadOnlyList<string>? dev = null)
    {
        _encoder = encoder; _tok = tok; _c = c;
        _rows = Rows(texts);
        if (_rows.Length == 0) throw new InvalidDataException("mlm: no texts to train on");
        _loss = new MaskedLmLoss(encoder.Encoder);
        StateParameters = Distinct(encoder.named_parameters().Select(p => ("encoder." + p.name, p.parameter))
            .Concat(_loss.HeadParameters.Select(p => ("head." + p.Name, p.Param))));
        Optimizer = new FusedAdamW(ParameterGroup.ForWeightDecay(Name, StateParameters, c.Mlm.Lr, c.Mlm.WeightDecay ?? c.WeightDecay), eps: c.Mlm.Eps);
        _stepsPerEpoch = (_rows.Length + BatchSize - 1) / BatchSize;
        _totalSteps = c.Mlm.MaxSteps ?? _stepsPerEpoch * c.Mlm.Epochs;
        Schedule = LrSchedule.Create("linear", c.Mlm.WarmupRatio, _totalSteps);
        if (dev is { Count: > 0 })
        {
            var rng = Seeds.For(c.Seed, "mlm-dev-mask");
            var devRows = Rows(dev);
            var devMasked = devRows.Select(r => TokenMasking.Mask(r, tok, c.Mlm.MaskProbability, c.Mlm.WholeWordMask, rng)).ToArray();
            Selection = new DevSelection(StateParameters, () => -DevLoss(devRows, devMasked), c.SelectChecks);
        }
    }

    TokenEncoding[] Rows(IReadOnlyList<string> texts) =>
        _c.Mlm.BlockSize is not int block ? texts.Select(t => _tok.Encode(t, maxLength: _c.MaxLength)).ToArray()
            : _c.Mlm.PackWholeTexts ? PackWhole(texts, _tok, block) : Pack(texts, _tok, block);

    /// <summary>Mean masked-LM loss per predicted token on dev.</summary>
    double DevLoss(TokenEncoding[] rows, (int[] Ids, long[] Labels)[] masked)
    {
        double sum = 0;
        long targets = 0;
        foreach (var idx in Enumerable.Range(0, rows.Length).Chunk(BatchSize))
        {
            using var scope = NewDisposeScope();   // one batch's activations at a time, not the whole dev set's
            long n = idx.Sum(i => masked[i].Labels.Count(l => l != -100));
            sum += Batch(idx, rows, masked).item<float>() * n;
            targets += n;
        }
        return sum / targets;
    }

    int BatchSize => _c.Mlm.BatchSize ?? _c.BatchSize;
    public override string Name => PhaseKind.Mlm.Name();
    public override int ExampleCount => _rows.Length;
    public override int MaxEpochs => (_totalSteps + _stepsPerEpoch - 1) / _stepsPerEpoch;

    public override string StartMessage => _encoder.Encoder.MaskedLmHead is not null
        ? "the masked-LM head starts from the checkpoint's" : "the masked-LM head starts fresh (the checkpoint has none)";

    /// <summary>All texts as one token stream (each followed by the separator), cut into blocks of
    /// <paramref name="block"/> tokens with their special tokens.</summary>
    static TokenEncoding[] Pack(IReadOnlyList<string> texts, ITokenizer tok, int block)
    {
        if (block < 3) throw new ArgumentException($"mlm.block_size must be at least 3, got {block}");
        var ids = new List<int>();
        var tokens = new List<string>();
        foreach (var t in texts)
        {
            var e = tok.Encode(t, addSpecialTokens: false);
            ids.AddRange(e.Ids); tokens.AddRange(e.Tokens);
            ids.Add(tok.SepId); tokens.Add(tok.IdToToken(tok.SepId));
        }
        int inner = block - 2;
        return Enumerable.Range(0, (ids.Count + inner - 1) / inner).Select(k =>
        {
            int start = k * inner, n = Math.Min(inner, ids.Count - start);
            int[] rowIds = [tok.ClsId, .. ids.GetRange(start, n), tok.SepId];
            string[] rowTokens = [tok.IdToToken(tok.ClsId), .. tokens.GetRange(start, n), tok.IdToToken(tok.SepId)];
            return new TokenEncoding(rowIds, new int[rowIds.Length], new (int, int)[rowIds.Length], rowTokens);
        }).ToArray();
    }

    /// <summary>Texts whole, in order, into blocks of at most <paramref name="block"/> tokens: [CLS] a [SEP] b [SEP] …;
    /// a text that does not fit starts the next block, one longer than a block is cut to block − 2 pieces.</summary>
    static TokenEncoding[] PackWhole(IReadOnlyList<string> texts, ITokenizer tok, int block)
    {
        if (block < 3) throw new ArgumentException($"mlm.block_size must be at least 3, got {block}");
        var blocks = new List<TokenEncoding>();
        var ids = new List<int> { tok.ClsId };
        var tokens = new List<string> { tok.IdToToken(tok.ClsId) };
        void Close()
        {
            blocks.Add(new TokenEncoding([.. ids], new int[ids.Count], new (int, int)[ids.Count], [.. tokens]));
            ids = [tok.ClsId];
            tokens = [tok.IdToToken(tok.ClsId)];
        }
        foreach (var t in texts)
        {
            var e = tok.Encode(t, addSpecialTokens: false);
            int n = Math.Min(e.Length, block - 2);
            if (n == 0) continue;
            if (ids.Count + n + 1 > block) Close();
            ids.AddRange(e.Ids.Take(n)); tokens.AddRange(e.Tokens.Take(n));
            ids.Add(tok.SepId); tokens.Add(tok.IdToToken(tok.SepId));
        }
        if (ids.Count > 1) Close();
        return [.. blocks];
    }

    public override int BeginEpoch(int epoch)
    {
        var rng = Seeds.For(_c.Seed, "mlm-mask", epoch);
        _masked = _rows.Select(r => TokenMasking.Mask(r, _tok, _c.Mlm.MaskProbability, _c.Mlm.WholeWordMask, rng)).ToArray();
        EpochBatches = BatchOrder.Shuffled(_rows.Length, BatchSize, Seeds.For(_c.Seed, "mlm-order", epoch), _c.GroupByLength ? i => _rows[i].Length : null);
        // with max_steps the last epoch stops part-way
        return Math.Min(EpochBatches.Length, _totalSteps - epoch * _stepsPerEpoch);
    }

    public override Tensor Loss(int index) => Batch(EpochBatches[index], _rows, _masked);

    Tensor Batch(int[] idx, TokenEncoding[] rows, (int[] Ids, long[] Labels)[] masked)
    {
        var texts = TokenBatch.Collate(_tok, idx.Select(i => new TokenEncoding(masked[i].Ids, rows[i].TypeIds, rows[i].Offsets, rows[i].Tokens)));
        int t = (int)texts.Ids.shape[1];
        var labels = idx.SelectMany(i => masked[i].Labels.Concat(Enumerable.Repeat(-100L, t - masked[i].Labels.Length))).ToArray();
        return _loss.Forward(new MaskedBatch(texts, tensor(labels, [idx.Length, t])));
    }

    public override void SetTraining(bool training) => _loss.train(training);

    public override void Finish()
    {
        base.Finish();
        _encoder.Encoder.MaskedLmHead = _loss.HeadParameters.ToDictionary(p => p.Name, p => p.Param.detach().clone().DetachFromDisposeScope());
    }
}

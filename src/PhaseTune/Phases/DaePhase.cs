using PhaseTune.Augmentation;
using PhaseTune.IO;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using PhaseTune.Training;
using PhaseTune.Training.Optimization;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Phase 1: TSDAE on the training texts, noise re-drawn every epoch.</summary>
public sealed class DaePhase : TrainingPhase
{
    readonly SentenceEncoder _encoder;
    readonly DenoisingAutoEncoderLoss _loss;
    readonly ITokenizer _tok;
    readonly IReadOnlyList<string> _texts;
    readonly TrainConfig _c;
    readonly TokenEncoding[] _clean;
    string[] _noisy = [];

    /// <param name="dev">dev texts to select the best weights on by reconstruction loss, or null</param>
    public DaePhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<string> texts, TrainConfig c, IReadOnlyList<string>? dev = null)
    {
        _encoder = encoder; _tok = tok; _texts = texts; _c = c;
        _clean = texts.Select(t => tok.Encode(t, maxLength: c.MaxLength)).ToArray();
        _loss = new DenoisingAutoEncoderLoss(encoder, c.Dae.TieDecoder);
        StateParameters = Distinct(encoder.named_parameters().Select(p => ("encoder." + p.name, p.parameter))
            .Concat(_loss.Decoder.named_parameters().Select(p => ("decoder." + p.name, p.parameter))));
        Optimizer = new FusedAdamW(ParameterGroup.ForWeightDecay(Name, StateParameters, c.Dae.Lr, c.Dae.WeightDecay ?? c.WeightDecay), eps: c.Dae.Eps);
        int perEpoch = (texts.Count + BatchSize - 1) / BatchSize;
        Schedule = LrSchedule.Create(c.Dae.Schedule, c.Dae.WarmupRatio, perEpoch * c.Dae.Epochs);
        if (dev is { Count: > 0 })
        {
            // one fixed noise draw, tokenised once, so every check scores the same corrupted texts
            var rng = Seeds.For(c.Seed, "dae-dev-noise");
            var devNoisy = dev.Select(t => tok.Encode(DeletionNoise.Apply(t, c.Dae.DeletionRatio, rng), maxLength: c.MaxLength)).ToArray();
            var devClean = dev.Select(t => tok.Encode(t, maxLength: c.MaxLength)).ToArray();
            Selection = new DevSelection(StateParameters, () => -DevLoss(devNoisy, devClean), c.SelectChecks);
        }
    }

    /// <summary>Mean reconstruction loss per text on dev.</summary>
    double DevLoss(TokenEncoding[] noisy, TokenEncoding[] clean)
    {
        double sum = 0;
        foreach (var idx in Enumerable.Range(0, noisy.Length).Chunk(BatchSize))
        {
            using var scope = NewDisposeScope();   // one batch's activations at a time, not the whole dev set's
            sum += _loss.Forward(new DaeBatch(TokenBatch.Collate(_tok, idx.Select(i => noisy[i])),
                TokenBatch.Collate(_tok, idx.Select(i => clean[i])))).item<float>() * idx.Length;
        }
        return sum / noisy.Length;
    }

    int BatchSize => _c.Dae.BatchSize ?? _c.BatchSize;
    public override string Name => PhaseKind.Dae.Name();
    public override int ExampleCount => _texts.Count;
    public override int MaxEpochs => _c.Dae.Epochs;

    public override string StartMessage => _loss.Decoder.HeadFromCheckpoint
        ? "the decoder's LM head starts from the encoder's masked-LM head (the checkpoint's, or an earlier MLM phase's)"
        : "the decoder's LM head starts fresh (the checkpoint has no masked-LM head)";

    public override int BeginEpoch(int epoch)
    {
        var rng = Seeds.For(_c.Seed, "dae-noise", epoch);
        _noisy = _texts.Select(t => DeletionNoise.Apply(t, _c.Dae.DeletionRatio, rng)).ToArray();
        EpochBatches = BatchOrder.Shuffled(_texts.Count, BatchSize, Seeds.For(_c.Seed, "dae-order", epoch), _c.GroupByLength ? i => _clean[i].Length : null);
        return EpochBatches.Length;
    }

    public override Tensor Loss(int index) => _loss.Forward(MakeBatch(EpochBatches[index]));

    DaeBatch MakeBatch(int[] idx) => new(
        TokenBatch.Encode(_tok, idx.Select(i => _noisy[i]), _c.MaxLength),
        TokenBatch.Collate(_tok, idx.Select(i => _clean[i])));

    public override void SetTraining(bool training) => _loss.train(training);
}

using PhaseTune.Augmentation;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>SimCLR (<see cref="NtXentLoss"/>): two views of each text, each with words deleted anew every epoch and
/// its own dropout; no labels.</summary>
public sealed class SimClrPhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> data, TrainConfig c)
    : EmbeddingPretrainPhase(PhaseKind.SimClr, encoder, tok, data, c)
{
    string[][] _views = [];

    protected override double DefaultTemperature => 0.5;

    protected override void PrepareEpoch(int epoch, Random rng)
    {
        var noise = Seeds.For(Config.Seed, "simclr-noise", epoch);
        double ratio = Config.Pretrain.NoiseRatio;
        _views = Data.Select(e => new[] { DeletionNoise.Apply(e.Text, ratio, noise), DeletionNoise.Apply(e.Text, ratio, noise) }).ToArray();
    }

    public override Tensor Loss(int index)
    {
        var idx = EpochBatches[index];
        var views = stack([Encode(idx.Select(i => _views[i][0])), Encode(idx.Select(i => _views[i][1]))], 1);   // (B, 2, C)
        return new NtXentLoss(Temperature).Forward(new ViewsBatch(views, null));
    }
}

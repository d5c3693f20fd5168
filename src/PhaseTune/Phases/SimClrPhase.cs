using PhaseTune.Augmentation;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>SimCLR (<see cref="NtXentLoss"/>): two views of each text, each with words deleted anew every epoch
/// (<c>pretrain.noise_ratio</c>; 0 leaves dropout as the only augmentation, as the MASSIVE report does) and its own
/// dropout (the encoder's, then <c>pretrain.view_dropout</c> and the projection head, if set); no labels.</summary>
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
        var views = stack([View(Encode(idx.Select(i => _views[i][0]))), View(Encode(idx.Select(i => _views[i][1])))], 1);   // (B, 2, C)
        return new NtXentLoss(Temperature, Config.Pretrain.Reduction).Forward(new ViewsBatch(views, null));
    }
}

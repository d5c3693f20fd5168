using PhaseTune.Data;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Supervised SimCSE on labelled texts: a same-label positive and an other-label hard negative per text,
/// re-drawn every epoch (<see cref="SimCseLoss"/>).</summary>
public sealed class SupervisedSimCsePhase : EmbeddingPretrainPhase
{
    int[] _negative = [];

    public SupervisedSimCsePhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> data, TrainConfig c)
        : base(PhaseKind.SupervisedSimCse, encoder, tok, data, c)
    {
        if (ByLabel.Count < 2) throw new InvalidDataException($"{Name} needs at least two labels");
    }

    protected override double DefaultTemperature => 0.05;

    protected override void PrepareEpoch(int epoch, Random rng) =>
        _negative = Enumerable.Range(0, Data.Count).Select(i => Other(i, false, rng)).ToArray();

    public override Tensor Loss(int index)
    {
        var idx = EpochBatches[index];
        return new SimCseLoss(Temperature).Forward(new RankingBatch(Encode(Rows(idx)),
            Encode(Rows(idx.Select(i => Partner[i]))), Encode(Rows(idx.Select(i => _negative[i])))));
    }
}

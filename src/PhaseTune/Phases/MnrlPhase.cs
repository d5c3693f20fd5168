using PhaseTune.Data;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Multiple Negatives Ranking (<see cref="MultipleNegativesRankingLoss"/>): on triplets, each row's positive
/// with its hard negative beside the in-batch ones; on text pairs, the pairs with the positive label; on single texts,
/// like supervised SimCSE, a same-label text as the positive.</summary>
public sealed class MnrlPhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> data, TrainConfig c)
    : EmbeddingPretrainPhase(PhaseKind.Mnrl, encoder, tok, Positives(data, c), c)
{
    static IReadOnlyList<Example> Positives(IReadOnlyList<Example> data, TrainConfig c) =>
        !SupervisedSimCsePhase.IsTriplets(data, PhaseKind.Mnrl.Name()) && data.Any(e => e.Text2 is not null)
            ? data.Where(e => e.Text2 is not null && e.Label == c.Pretrain.PositiveLabel).ToList()
            : data;

    protected override double DefaultTemperature => 0.05;

    public override Tensor Loss(int index)
    {
        var idx = EpochBatches[index];
        var positives = idx.Select(i => Data[i].Text2 ?? Data[Partner[i]].Text);
        var negatives = Data[idx[0]].Negative is null ? null : Encode(idx.Select(i => Data[i].Negative!));
        return new MultipleNegativesRankingLoss(Config.Pretrain.Scale).Forward(new RankingBatch(Encode(Rows(idx)), Encode(positives), negatives));
    }
}

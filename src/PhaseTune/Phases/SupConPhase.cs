using PhaseTune.Data;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Supervised contrastive learning (<see cref="SupConLoss"/>): two dropout views of each text (the encoder's
/// dropout, then <c>pretrain.view_dropout</c> and the projection head, if set), positives by label.</summary>
public sealed class SupConPhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> data, TrainConfig c)
    : EmbeddingPretrainPhase(PhaseKind.SupCon, encoder, tok, data, c)
{
    protected override double DefaultTemperature => 0.07;

    public override Tensor Loss(int index)
    {
        var idx = EpochBatches[index];
        var labels = tensor(idx.Select(i => LabelIndex[Data[i].Label]).ToArray());
        var same = Rows(idx);
        return new SupConLoss(Temperature, reduction: Config.Pretrain.Reduction).Forward(new ViewsBatch(stack([View(Encode(same)), View(Encode(same))], 1), labels));
    }
}

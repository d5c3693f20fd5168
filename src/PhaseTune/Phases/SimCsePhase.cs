using PhaseTune.Data;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Unsupervised SimCSE: each text against itself encoded again under other dropout (<see cref="SimCseLoss"/>).</summary>
public sealed class SimCsePhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> data, TrainConfig c)
    : EmbeddingPretrainPhase(PhaseKind.SimCse, encoder, tok, data, c)
{
    protected override double DefaultTemperature => 0.05;

    public override Tensor Loss(int index)
    {
        var rows = Rows(EpochBatches[index]);   // two passes over the same tokens: the views differ by dropout only
        return new SimCseLoss(Temperature).Forward(new RankingBatch(Encode(rows), Encode(rows)));
    }
}

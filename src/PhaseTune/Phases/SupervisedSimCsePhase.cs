using PhaseTune.Data;
using PhaseTune.Losses;
using PhaseTune.Models;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Phases;

/// <summary>Supervised SimCSE (<see cref="SimCseLoss"/>). On triplets (NLI style: premise, entailment, contradiction in
/// `text`, `positive`, `negative`) each row's own positive and hard negative, as the paper trains; on labelled texts
/// a same-label positive and an other-label hard negative per text, re-drawn every epoch.</summary>
public sealed class SupervisedSimCsePhase : EmbeddingPretrainPhase
{
    readonly bool _triplets;
    int[] _negative = [];

    public SupervisedSimCsePhase(SentenceEncoder encoder, ITokenizer tok, IReadOnlyList<Example> data, TrainConfig c)
        : base(PhaseKind.SupervisedSimCse, encoder, tok, data, c)
    {
        _triplets = IsTriplets(data, Name);
        if (!_triplets && ByLabel.Count < 2) throw new InvalidDataException($"{Name} needs triplets (text, positive, negative columns) or at least two labels");
    }

    /// <summary>Whether every example is a triplet; a mix of triplets and other rows is an error naming a row.</summary>
    public static bool IsTriplets(IReadOnlyList<Example> data, string phase)
    {
        int n = data.Count(e => e.Negative is not null);
        if (n > 0 && n < data.Count)
            throw new InvalidDataException($"{phase}: {data.First(e => e.Negative is null).Where} has no 'negative' text while other rows are triplets");
        return n > 0;
    }

    protected override double DefaultTemperature => 0.05;

    protected override void PrepareEpoch(int epoch, Random rng)
    {
        if (!_triplets) _negative = Enumerable.Range(0, Data.Count).Select(i => Other(i, false, rng)).ToArray();
    }

    public override Tensor Loss(int index)
    {
        var idx = EpochBatches[index];
        if (_triplets)
            return new SimCseLoss(Temperature).Forward(new RankingBatch(Encode(Rows(idx)),
                Encode(idx.Select(i => Data[i].Text2!)), Encode(idx.Select(i => Data[i].Negative!))));
        return new SimCseLoss(Temperature).Forward(new RankingBatch(Encode(Rows(idx)),
            Encode(Rows(idx.Select(i => Partner[i]))), Encode(Rows(idx.Select(i => _negative[i])))));
    }
}

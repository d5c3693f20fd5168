using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>SimCSE (Gao, Yao, Chen 2021, "SimCSE: Simple Contrastive Learning of Sentence Embeddings").
/// Unsupervised: the positives are the same sentences encoded again under different dropout. Supervised: an
/// entailment positive and a contradiction hard negative per sentence. Either way the objective is in-batch
/// cross-entropy over cos / τ (τ = 0.05), i.e. the ranking loss with scale 1/τ.</summary>
public sealed class SimCseLoss(double temperature = 0.05) : ILoss<RankingBatch>
{
    readonly MultipleNegativesRankingLoss _ranking = new(1.0 / temperature);

    public Tensor Forward(RankingBatch batch) => _ranking.Forward(batch);
}

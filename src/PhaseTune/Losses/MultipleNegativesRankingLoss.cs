using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Multiple Negatives Ranking loss (Henderson et al. 2017, "Efficient Natural Language Response Suggestion
/// for Smart Reply"): for anchor i the positive i must out-score every other positive in the batch (and every hard
/// negative); cross-entropy over scale · cosine similarities, scale 20 as sentence-transformers.</summary>
public sealed class MultipleNegativesRankingLoss(double scale = 20.0) : ILoss<RankingBatch>
{
    public Tensor Forward(RankingBatch batch)
    {
        var a = nn.functional.normalize(batch.Anchors, dim: 1);
        var candidates = batch.Negatives is null ? batch.Positives : cat([batch.Positives, batch.Negatives], 0);   // (N or 2N, D)
        var scores = a.matmul(nn.functional.normalize(candidates, dim: 1).T) * scale;                              // (N, N or 2N)
        return nn.functional.cross_entropy(scores, arange(a.shape[0], device: a.device));
    }
}

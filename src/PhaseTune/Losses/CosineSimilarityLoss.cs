using PhaseTune.Models;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Siamese regression of cosine similarity onto a target, MSE (sentence-transformers' CosineSimilarityLoss;
/// Reimers and Gurevych 2019, "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks").</summary>
public sealed class CosineSimilarityLoss(SentenceEncoder encoder) : ILoss<PairBatch>
{
    public Tensor Forward(PairBatch batch)
    {
        var u = encoder.forward(batch.A.Ids, batch.A.Mask, batch.A.Types);     // (B, C)
        var v = encoder.forward(batch.B.Ids, batch.B.Mask, batch.B.Types);     // (B, C)
        return nn.functional.mse_loss(nn.functional.cosine_similarity(u, v, dim: 1), batch.Targets);
    }
}

using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Binary cross-entropy on logits for binary pair tasks such as paraphrase detection (Quora; as in
/// Sentence-BERT's classification objective, Reimers and Gurevych 2019). Predictions are logits, targets 0/1.</summary>
public sealed class BinaryCrossEntropyLoss : ILoss<ScoreBatch>
{
    public Tensor Forward(ScoreBatch batch) =>
        nn.functional.binary_cross_entropy_with_logits(batch.Predictions, batch.Targets.to_type(batch.Predictions.dtype));
}

using PhaseTune.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Texts with class indices.</summary>
public sealed record LabelBatch(TokenBatch Texts, Tensor Labels);

/// <summary>Softmax cross-entropy of a classification head over the sentence vector, optionally class-weighted
/// (standard fine-tuning, Devlin et al. 2019, "BERT: Pre-training of Deep Bidirectional Transformers").</summary>
public sealed class CrossEntropyLoss(SentenceEncoder encoder, ClassificationHead head, Tensor? classWeights = null) : ILoss<LabelBatch>
{
    public Tensor Logits(TokenBatch t) => head.forward(encoder.forward(t.Ids, t.Mask, t.Types));

    public Tensor Forward(LabelBatch batch) =>
        nn.functional.cross_entropy(Logits(batch.Texts), batch.Labels, weight: classWeights);
}

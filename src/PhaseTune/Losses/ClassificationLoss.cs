using PhaseTune.Models;
using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Softmax cross-entropy of a classification head over the sentence vector, optionally class-weighted
/// (standard fine-tuning, Devlin et al. 2019, "BERT: Pre-training of Deep Bidirectional Transformers").</summary>
public sealed class ClassificationLoss(SentenceEncoder encoder, ClassificationHead head, Tensor? classWeights = null) : ILoss<LabelBatch>
{
    public Tensor Logits(TokenBatch t) => head.forward(encoder.forward(t.Ids, t.Mask, t.Types));

    public Tensor Forward(LabelBatch batch) =>
        nn.functional.cross_entropy(Logits(batch.Texts), batch.Labels, weight: classWeights);
}

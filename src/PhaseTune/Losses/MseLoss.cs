using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Mean squared error for regression heads (e.g. STS-B similarity; Cer et al. 2017, "SemEval-2017 Task 1:
/// Semantic Textual Similarity").</summary>
public sealed class MseLoss : ILoss<ScoreBatch>
{
    public Tensor Forward(ScoreBatch batch) => nn.functional.mse_loss(batch.Predictions, batch.Targets);
}

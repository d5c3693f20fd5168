using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Predicted scores and their targets, both (N).</summary>
public sealed record ScoreBatch(Tensor Predictions, Tensor Targets);

using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Anchors (N, D), their positives (N, D) and optional hard negatives (N, D).</summary>
public sealed record RankingBatch(Tensor Anchors, Tensor Positives, Tensor? Negatives = null);

using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Several views per example (N, V, D) with optional labels (N).</summary>
public sealed record ViewsBatch(Tensor Views, Tensor? Labels);

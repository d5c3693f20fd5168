using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Two texts per example and a similarity target in [0, 1].</summary>
public sealed record PairBatch(TokenBatch A, TokenBatch B, Tensor Targets);

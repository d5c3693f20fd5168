using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Corrupted texts and their (B, T) labels: the original id where a token is to be predicted, -100 elsewhere.</summary>
public sealed record MaskedBatch(TokenBatch Texts, Tensor Labels);

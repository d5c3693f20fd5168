using PhaseTune.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Noisy and clean views of the same sentences.</summary>
public sealed record DaeBatch(TokenBatch Noisy, TokenBatch Clean);

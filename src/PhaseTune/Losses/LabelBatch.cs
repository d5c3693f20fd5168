using PhaseTune.Text;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Texts with class indices.</summary>
public sealed record LabelBatch(TokenBatch Texts, Tensor Labels);

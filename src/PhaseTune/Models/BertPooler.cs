using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>dense → tanh on the first token (HF's BertPooler, the "pooler_output").</summary>
public sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    readonly Linear dense;

    public BertPooler(EncoderConfig c) : base(nameof(BertPooler))
    {
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        RegisterComponents();
    }

    /// <param name="hidden">(B, T, C)</param>
    public override Tensor forward(Tensor hidden) => tanh(dense.forward(hidden[.., 0]));   // (B, C)
}

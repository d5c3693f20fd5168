using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>dense → dropout → LayerNorm(x + residual): HF's BertSelfOutput and BertOutput (DistilBERT's out_lin →
/// sa_layer_norm, which has no dropout, and lin2 → output_layer_norm).</summary>
public sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Linear dense;
    readonly LayerNorm LayerNorm;
    readonly FastDropout? dropout;

    /// <param name="dropout">whether HF drops out the dense layer's output here</param>
    public BertResidualOutput(EncoderConfig c, int inFeatures, bool dropout = true) : base(nameof(BertResidualOutput))
    {
        dense = nn.Linear(inFeatures, c.HiddenSize);
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        this.dropout = dropout ? new FastDropout(c.HiddenDropoutProb) : null;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor residual)
    {
        var y = Autocast.Linear(dense, x);
        return LayerNorm.forward((dropout is null ? y : dropout.forward(y)) + residual);
    }
}

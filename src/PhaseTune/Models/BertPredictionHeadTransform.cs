using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>dense → activation → LayerNorm before the vocabulary projection (HF's BertPredictionHeadTransform).</summary>
public sealed class BertPredictionHeadTransform : nn.Module<Tensor, Tensor>
{
    readonly Linear dense;
    readonly LayerNorm LayerNorm;
    readonly Func<Tensor, Tensor> _act;

    public BertPredictionHeadTransform(EncoderConfig c) : base(nameof(BertPredictionHeadTransform))
    {
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        _act = Activations.Get(c.HiddenAct);
        RegisterComponents();
    }

    public Linear Dense => dense;

    public override Tensor forward(Tensor x) => LayerNorm.forward(_act(dense.forward(x)));
}

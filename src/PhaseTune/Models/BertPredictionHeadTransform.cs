using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>dense → activation → LayerNorm before the vocabulary projection (HF's BertPredictionHeadTransform;
/// DistilBERT's vocab_transform → activation → vocab_layer_norm; ELECTRA's generator_predictions, which maps to the
/// embedding size and always uses gelu).</summary>
public sealed class BertPredictionHeadTransform : nn.Module<Tensor, Tensor>
{
    readonly Linear dense;
    readonly LayerNorm LayerNorm;
    readonly Func<Tensor, Tensor> _act;

    public BertPredictionHeadTransform(EncoderConfig c) : base(nameof(BertPredictionHeadTransform))
    {
        dense = nn.Linear(c.HiddenSize, c.EmbeddingSize);
        LayerNorm = nn.LayerNorm([c.EmbeddingSize], c.LayerNormEps);
        _act = Activations.Get(c.ModelType == "electra" ? "gelu" : c.HiddenAct);
        RegisterComponents();
    }

    public Linear Dense => dense;

    public override Tensor forward(Tensor x) => LayerNorm.forward(Autocast.Float(_act(Autocast.Linear(dense, x))));
}

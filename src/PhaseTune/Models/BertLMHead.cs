using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>HF's BertLMPredictionHead: dense → act → LayerNorm → projection onto the (tied) word embeddings + bias.</summary>
public sealed class BertLMHead : nn.Module<Tensor, Tensor>
{
    readonly Linear dense;
    readonly LayerNorm LayerNorm;
    readonly Parameter bias;
    readonly Func<Tensor, Tensor> _act;
    // a getter, not a field: a Parameter field would register the tied matrix a second time, and the optimiser
    // would then update it twice per step
    readonly Func<Parameter> _wordEmbeddings;

    public BertLMHead(EncoderConfig c, Func<Parameter> wordEmbeddings) : base(nameof(BertLMHead))
    {
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        bias = nn.Parameter(zeros(c.VocabSize));
        _act = Activations.Get(c.HiddenAct);
        _wordEmbeddings = wordEmbeddings;
        RegisterComponents();
        using var _ = no_grad();
        dense.weight!.normal_(0, c.InitializerRange);
        dense.bias!.zero_();
    }

    /// <param name="x">(N, C)</param> <returns>(N, V) logits</returns>
    public override Tensor forward(Tensor x) =>
        nn.functional.linear(LayerNorm.forward(_act(dense.forward(x))), _wordEmbeddings(), bias);
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>HF's BertLMPredictionHead: transform, then the projection onto the word embeddings (tied, not a
/// parameter of its own) plus a bias per token.</summary>
public sealed class BertLMPredictionHead : nn.Module<Tensor, Tensor>
{
    readonly BertPredictionHeadTransform transform;
    readonly Parameter bias;
    // a getter, not a field: a Parameter field would register the tied matrix a second time, and the optimiser
    // would then update it twice per step
    readonly Func<Parameter> _wordEmbeddings;

    public BertLMPredictionHead(EncoderConfig c, Func<Parameter> wordEmbeddings) : base(nameof(BertLMPredictionHead))
    {
        transform = new BertPredictionHeadTransform(c);
        bias = nn.Parameter(zeros(c.VocabSize));
        _wordEmbeddings = wordEmbeddings;
        RegisterComponents();
        using var _ = no_grad();
        transform.Dense.weight!.normal_(0, c.InitializerRange);
        transform.Dense.bias!.zero_();
    }

    /// <param name="x">(N, C)</param> <returns>(N, V) logits</returns>
    public override Tensor forward(Tensor x) => Autocast.Linear(transform.forward(x), _wordEmbeddings(), bias);
}

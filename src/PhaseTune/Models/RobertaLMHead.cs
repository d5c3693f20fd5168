using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>RoBERTa's masked-LM head, HF's RobertaLMHead (checkpoint keys `lm_head.*`): dense → gelu (always, whatever
/// the config's hidden_act) → layer_norm → projection onto the tied word embeddings plus a bias.</summary>
public sealed class RobertaLMHead : nn.Module<Tensor, Tensor>
{
    readonly Linear dense;
    readonly LayerNorm layer_norm;
    readonly Parameter bias;
    readonly Func<Parameter> _wordEmbeddings;

    public RobertaLMHead(EncoderConfig c, Func<Parameter> wordEmbeddings) : base(nameof(RobertaLMHead))
    {
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        layer_norm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        bias = nn.Parameter(zeros(c.VocabSize));
        _wordEmbeddings = wordEmbeddings;
        RegisterComponents();
        using var _ = no_grad();
        dense.weight!.normal_(0, c.InitializerRange);
        dense.bias!.zero_();
    }

    /// <param name="x">(N, C)</param> <returns>(N, V) logits</returns>
    public override Tensor forward(Tensor x) =>
        Autocast.Linear(layer_norm.forward(Autocast.Float(nn.functional.gelu(Autocast.Linear(dense, x)))), _wordEmbeddings(), bias);
}

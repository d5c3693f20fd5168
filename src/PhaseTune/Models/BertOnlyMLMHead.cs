using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>BERT's masked-LM head, HF's BertOnlyMLMHead: checkpoint keys `cls.predictions.*`.</summary>
public sealed class BertOnlyMLMHead : nn.Module<Tensor, Tensor>
{
    readonly BertLMPredictionHead predictions;

    public BertOnlyMLMHead(EncoderConfig c, Func<TorchSharp.Modules.Parameter> wordEmbeddings) : base(nameof(BertOnlyMLMHead))
    {
        predictions = new BertLMPredictionHead(c, wordEmbeddings);
        RegisterComponents();
    }

    /// <param name="x">(N, C)</param> <returns>(N, V) logits</returns>
    public override Tensor forward(Tensor x) => predictions.forward(x);
}

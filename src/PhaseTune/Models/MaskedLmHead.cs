using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>The masked-LM head of an encoder's family, named as HF names it (`cls` for BERT, `lm_head` for RoBERTa),
/// its decoder tied to the word embeddings. DistilBERT's (vocab_transform, vocab_layer_norm, vocab_projector) and
/// ELECTRA's (generator_predictions, generator_lm_head) compute what BERT's does and are held as BERT's, under `cls`;
/// ModelFiles.CheckpointNames maps their keys. A pretrained checkpoint's head travels with the encoder as
/// <see cref="BertModel.MaskedLmHead"/> tensors keyed like the head module's own state.</summary>
public static class MaskedLmHead
{
    /// <summary>The module name a head has in HF's task models: its checkpoint keys start with it and a dot.</summary>
    public static string Name(EncoderConfig c) => c.IsRoberta ? "lm_head" : "cls";

    public static nn.Module<Tensor, Tensor> Create(EncoderConfig c, Func<Parameter> wordEmbeddings) =>
        c.IsRoberta ? new RobertaLMHead(c, wordEmbeddings) : new BertOnlyMLMHead(c, wordEmbeddings);

    /// <summary>A head for <paramref name="encoder"/>: the checkpoint's, when the encoder brought one, else fresh.</summary>
    public static nn.Module<Tensor, Tensor> For(BertModel encoder, Func<Parameter> wordEmbeddings)
    {
        var head = Create(encoder.Config, wordEmbeddings);
        if (encoder.MaskedLmHead is { } saved)
        {
            using var _ = no_grad();
            foreach (var (name, p) in head.named_parameters()) p.copy_(saved[name]);
        }
        return head;
    }
}

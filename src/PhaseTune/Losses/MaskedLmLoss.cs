using PhaseTune.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Masked-language-model cross-entropy (Devlin et al. 2019, "BERT: Pre-training of Deep Bidirectional
/// Transformers for Language Understanding"): the encoder reads the corrupted text and the masked-LM head, tied to the
/// word embeddings, predicts the original token at the labelled positions only.</summary>
public sealed class MaskedLmLoss : nn.Module, ILoss<MaskedBatch>
{
    readonly BertModel encoder;
    readonly nn.Module<Tensor, Tensor> _head;

    /// <summary>The head starts from the encoder's checkpoint head when it brought one (<see cref="BertModel.MaskedLmHead"/>).</summary>
    public MaskedLmLoss(BertModel encoder) : base(nameof(MaskedLmLoss))
    {
        this.encoder = encoder;
        _head = MaskedLmHead.For(encoder, () => encoder.Embeddings.WordEmbeddings);
        RegisterComponents();
        register_module(MaskedLmHead.Name(encoder.Config), _head);
    }

    /// <summary>The head's parameters under its own names (as <see cref="BertModel.MaskedLmHead"/> keeps them).</summary>
    public IEnumerable<(string Name, Parameter Param)> HeadParameters => _head.named_parameters().Select(p => (p.name, p.parameter));

    public Tensor Forward(MaskedBatch batch)
    {
        var t = batch.Texts;
        var hidden = encoder.Forward(t.Ids, t.Mask, t.Types, skipPadding: true);            // (B, T, C)
        var keep = batch.Labels.reshape(-1).ne(-100).nonzero().squeeze(1);                  // (N,)
        var logits = _head.forward(hidden.reshape(-1, hidden.shape[2]).index_select(0, keep));   // (N, V): only where a target is
        return nn.functional.cross_entropy(Autocast.Float(logits), batch.Labels.reshape(-1).index_select(0, keep));
    }
}

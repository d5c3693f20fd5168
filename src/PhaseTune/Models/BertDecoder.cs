using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>TSDAE's decoder: the encoder's embeddings and blocks reused as a causal decoder that reconstructs the
/// sentence from one pooled vector through cross-attention, with an LM head tied to the word embeddings: the
/// checkpoint's masked-LM head when the encoder brought one (as sentence-transformers' DenoisingAutoEncoderLoss loads
/// its decoder), else a fresh one. Untied, it starts as a copy of the encoder and shares nothing.</summary>
public sealed class BertDecoder : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly BertEmbeddings embeddings;
    readonly Linear? embeddings_project;
    readonly ModuleList<BertDecoderLayer> layer;
    readonly Func<Tensor, Tensor> _logits;
    readonly EncoderConfig _c;

    public BertDecoder(BertModel encoder, bool tie) : base(nameof(BertDecoder))
    {
        _c = encoder.Config;
        BertModel source = encoder;
        if (!tie)
        {
            source = new BertModel(_c);
            using var _ = no_grad();
            var from = encoder.state_dict();
            foreach (var (k, v) in source.state_dict()) v.copy_(from[k]);
        }
        embeddings = source.Embeddings;
        embeddings_project = source.EmbeddingsProject;
        layer = new ModuleList<BertDecoderLayer>(source.Encoder.Layers.Select(l => new BertDecoderLayer(_c, l)).ToArray());
        var head = MaskedLmHead.For(encoder, () => source.Embeddings.WordEmbeddings);
        RegisterComponents();
        register_module(MaskedLmHead.Name(_c), head);   // HF's name (cls / lm_head), so its keys are the checkpoint's
        _logits = head.forward;
        HeadFromCheckpoint = encoder.MaskedLmHead is not null;
    }

    /// <param name="ids">(B, T) decoder input ids</param>
    /// <param name="mask">(B, T) 1 for tokens, 0 for padding</param>
    /// <param name="memory">(B, S, C) what the decoder attends to</param>
    /// <returns>(B, T, C) decoder states, zeros at padding (apply <see cref="Logits"/> to the positions that need them)</returns>
    public override Tensor forward(Tensor ids, Tensor mask, Tensor memory)
    {
        var (x, packing) = Run(ids, mask, memory);
        return packing is null ? x.view(ids.shape[0], ids.shape[1], -1) : packing.ToPadded(x);
    }

    /// <summary>The decoder states of the real tokens alone, in row-major order of <paramref name="mask"/>: what a
    /// loss over real positions needs, without padding the rows back to (B, T) first.</summary>
    /// <returns>(N, C), N = mask.sum()</returns>
    public Tensor Rows(Tensor ids, Tensor mask, Tensor memory) => Run(ids, mask, memory).States;

    (Tensor States, Packing? Packing) Run(Tensor ids, Tensor mask, Tensor memory)
    {
        long t = ids.shape[1];
        var causal = ones(t, t, dtype: ScalarType.Bool, device: ids.device).tril();                 // (T, T)
        var allowed = causal.unsqueeze(0).unsqueeze(0) & mask.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(2);   // (B, 1, T, T)
        var additive = zeros(allowed.shape, dtype: ScalarType.Float32, device: ids.device)
            .masked_fill(allowed.logical_not(), torch.finfo(ScalarType.Float32).min);
        var packing = Packing.For(mask);
        var x = embeddings.forward(ids, zeros_like(ids), packing);                                 // (B, T, E) or (N, E)
        if (embeddings_project is not null) x = embeddings_project.forward(x);                      // (B, T, C) or (N, C)
        foreach (var l in layer)
        {
            l.SetSelfMask(additive);
            x = l.forward(x, memory, packing);
        }
        return (packing is null ? x.reshape(-1, x.shape[^1]) : x, packing);                        // (N, C)
    }

    /// <summary>Whether the LM head started from the encoder's pretrained masked-LM head (else it is fresh).</summary>
    public bool HeadFromCheckpoint { get; }

    public Tensor Logits(Tensor states) => _logits(states);
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>A decoder block as HF builds it with is_decoder + add_cross_attention: causal self-attention,
/// cross-attention to the encoder's states, feed-forward. With tying, the self-attention and feed-forward
/// modules ARE the encoder layer's (one storage); cross-attention is always new.</summary>
public sealed class BertDecoderLayer : nn.Module<Tensor, Tensor, Tensor>
{
    readonly BertAttention attention, crossattention;
    readonly BertIntermediate intermediate;
    readonly BertResidualOutput output;
    Tensor? _selfMask;

    public BertDecoderLayer(EncoderConfig c, BertLayer shared) : base(nameof(BertDecoderLayer))
    {
        attention = shared.Attention;
        intermediate = shared.Intermediate;
        output = shared.Output;
        crossattention = new BertAttention(c);
        RegisterComponents();
    }

    /// <summary>Sets the additive (B, 1, T, T) causal + padding mask used by the next forward calls.</summary>
    public void SetSelfMask(Tensor mask) => _selfMask = mask;

    /// <param name="x">(B, T, C) decoder states</param>
    /// <param name="memory">(B, S, C) encoder states (TSDAE: S = 1, the pooled sentence vector)</param>
    public override Tensor forward(Tensor x, Tensor memory) => forward(x, memory, null);

    /// <param name="x">(B, T, C), or (N, C) real tokens when packed</param>
    public Tensor forward(Tensor x, Tensor memory, Packing? packing)
    {
        var a = attention.forward(x, x, _selfMask, packing);
        var c = crossattention.forward(a, memory, null, packing);
        return output.forward(intermediate.forward(c), c);
    }
}

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

/// <summary>TSDAE's decoder: the encoder's embeddings and blocks reused as a causal decoder that reconstructs the
/// sentence from one pooled vector through cross-attention, with an LM head tied to the word embeddings.
/// Untied, it starts as a copy of the encoder and shares nothing.</summary>
public sealed class BertDecoder : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly BertEmbeddings embeddings;
    readonly ModuleList<BertDecoderLayer> layer;
    readonly BertLMHead lm_head;
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
        layer = new ModuleList<BertDecoderLayer>(source.Encoder.Layers.Select(l => new BertDecoderLayer(_c, l)).ToArray());
        lm_head = new BertLMHead(_c, () => source.Embeddings.WordEmbeddings);
        RegisterComponents();
    }

    /// <param name="ids">(B, T) decoder input ids</param>
    /// <param name="mask">(B, T) 1 for tokens, 0 for padding</param>
    /// <param name="memory">(B, S, C) what the decoder attends to</param>
    /// <returns>(B, T, C) decoder states, zeros at padding (apply <see cref="Logits"/> to the positions that need them)</returns>
    public override Tensor forward(Tensor ids, Tensor mask, Tensor memory)
    {
        long t = ids.shape[1];
        var causal = ones(t, t, dtype: ScalarType.Bool, device: ids.device).tril();                 // (T, T)
        var allowed = causal.unsqueeze(0).unsqueeze(0) & mask.to_type(ScalarType.Bool).unsqueeze(1).unsqueeze(2);   // (B, 1, T, T)
        var additive = zeros(allowed.shape, dtype: ScalarType.Float32, device: ids.device)
            .masked_fill(allowed.logical_not(), torch.finfo(ScalarType.Float32).min);
        var packing = Packing.For(mask);
        var x = embeddings.forward(ids, zeros_like(ids), packing);                                 // (B, T, C) or (N, C)
        foreach (var l in layer)
        {
            l.SetSelfMask(additive);
            x = l.forward(x, memory, packing);
        }
        return packing is null ? x : packing.ToPadded(x);
    }

    public Tensor Logits(Tensor states) => lm_head.forward(states);
}

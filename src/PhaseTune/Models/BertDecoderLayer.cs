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

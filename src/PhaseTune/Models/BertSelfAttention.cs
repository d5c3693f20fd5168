using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Multi-head attention through scaled_dot_product_attention with an additive mask.
/// Keys/values come from <c>kv</c> when given (cross-attention), else from the queries' input.</summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly Linear query, key, value;
    readonly int _heads, _headSize;
    readonly double _dropout;

    public BertSelfAttention(EncoderConfig c) : base(nameof(BertSelfAttention))
    {
        query = nn.Linear(c.HiddenSize, c.HiddenSize);
        key = nn.Linear(c.HiddenSize, c.HiddenSize);
        value = nn.Linear(c.HiddenSize, c.HiddenSize);
        _heads = c.NumAttentionHeads;
        _headSize = c.HeadSize;
        _dropout = c.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    /// <param name="x">(B, T, C)</param>
    /// <param name="mask">additive (B, 1, 1|T, S) or null</param>
    public override Tensor forward(Tensor x, Tensor? mask) => Attend(x, x, mask, causal: false);

    public Tensor Attend(Tensor x, Tensor kv, Tensor? mask, bool causal)
    {
        long b = x.shape[0], t = x.shape[1], s = kv.shape[1];
        Tensor Split(Tensor y, long len) => y.view(b, len, _heads, _headSize).transpose(1, 2);   // (B, nh, T, hs)
        var q = Split(query.forward(x), t);
        var k = Split(key.forward(kv), s);
        var v = Split(value.forward(kv), s);
        var y = nn.functional.scaled_dot_product_attention(q, k, v, mask, training ? _dropout : 0.0, causal);
        return y.transpose(1, 2).reshape(b, t, _heads * _headSize);           // (B, T, C)
    }
}

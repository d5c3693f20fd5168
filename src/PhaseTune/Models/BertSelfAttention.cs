using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Multi-head attention with an additive mask: scaled_dot_product_attention on long sequences, its math
/// spelled out on short ones and when training with dropout.
/// Keys/values come from <c>kv</c> when given (cross-attention), else from the queries' input.</summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    readonly Linear query, key, value;
    readonly int _heads, _headSize;

    /// <summary>Dropout on the attention probabilities while training.</summary>
    public double DropoutP { get; set; }

    public BertSelfAttention(EncoderConfig c) : base(nameof(BertSelfAttention))
    {
        query = nn.Linear(c.HiddenSize, c.HiddenSize);
        key = nn.Linear(c.HiddenSize, c.HiddenSize);
        value = nn.Linear(c.HiddenSize, c.HiddenSize);
        _heads = c.NumAttentionHeads;
        _headSize = c.HeadSize;
        DropoutP = c.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    /// <param name="x">(B, T, C)</param>
    /// <param name="mask">additive (B, 1, 1|T, S) or null</param>
    public override Tensor forward(Tensor x, Tensor? mask) => Attend(x, x, mask);

    /// <param name="x">(B, T, C) queries, or (N, C) packed real tokens when <paramref name="packing"/> is given</param>
    /// <param name="kv">the keys' and values' input: x itself (self-attention) or (B, S, C) padded states</param>
    /// <returns>(B, T, C), or (N, C) when packed</returns>
    public Tensor Attend(Tensor x, Tensor kv, Tensor? mask, Packing? packing = null)
    {
        long b = packing?.Batch ?? x.shape[0], t = packing?.Length ?? x.shape[1];
        Tensor Padded(Tensor y) => packing is null ? y : packing.ToPadded(y);                      // (B, T, C)
        Tensor q, k, v;
        if (ReferenceEquals(x, kv))
        {
            // one matmul for q, k and v: a third of the calls on small token counts
            var w = cat([query.weight!, key.weight!, value.weight!], 0);                          // (3C, C)
            var bias = cat([query.bias!, key.bias!, value.bias!], 0);
            var qkv = Padded(Autocast.Linear(x, w, bias)).view(b, t, 3, _heads, _headSize)
                .permute(2, 0, 3, 1, 4);                                                          // (3, B, nh, T, hs)
            (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        }
        else
        {
            long s = kv.shape[1];
            q = Padded(Autocast.Linear(query, x)).view(b, t, _heads, _headSize).transpose(1, 2);           // (B, nh, T, hs)
            k = Autocast.Linear(key, kv).view(b, s, _heads, _headSize).transpose(1, 2);                    // (B, nh, S, hs)
            v = Autocast.Linear(value, kv).view(b, s, _heads, _headSize).transpose(1, 2);
        }
        double p = training ? DropoutP : 0;
        var y = p > 0 || k.shape[2] <= ShortKeys ? Explicit(q, k, v, mask, p)
            : nn.functional.scaled_dot_product_attention(q, k, v, mask?.to_type(q.dtype));        // (B, nh, T, hs)
        y = y.transpose(1, 2).reshape(b, t, _heads * _headSize);                                 // (B, T, C)
        return packing is null ? y : packing.ToPacked(y);
    }

    /// <summary>Up to this many keys the explicit product beats libtorch's fused CPU kernel, whose setup outweighs
    /// the work on short sentences (32 × 12 heads × 19 tokens: 0.6 ms vs 1.4 ms; even at 64, slower at 96).</summary>
    const int ShortKeys = 64;

    /// <summary>SDPA's math spelled out: with dropout on the probabilities (libtorch's SDPA draws that mask with
    /// the serial bernoulli_), or without on short sequences.</summary>
    Tensor Explicit(Tensor q, Tensor k, Tensor v, Tensor? mask, double dropout)
    {
        var scores = Autocast.Float(q.matmul(k.transpose(-2, -1))).mul_(1 / Math.Sqrt(_headSize)); // (B, nh, T, S)
        if (mask is not null) scores = scores.add_(mask);
        return Autocast.MatMul(FastDropout.Apply(scores.softmax(-1), dropout, training: dropout > 0), v);
    }
}

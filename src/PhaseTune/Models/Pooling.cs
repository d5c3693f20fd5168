using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Sentence vectors from token states, as sentence-transformers' Pooling module computes them.</summary>
public static class Pooling
{
    public static PoolingMode Parse(string s) => s.ToLowerInvariant() switch
    {
        "cls" => PoolingMode.Cls,
        "mean" => PoolingMode.Mean,
        "max" => PoolingMode.Max,
        "pooler" => PoolingMode.Pooler,
        _ => throw new ArgumentException($"unknown pooling '{s}' (cls, mean, max, pooler)"),
    };

    /// <param name="hidden">(B, T, C) last hidden state</param>
    /// <param name="attentionMask">(B, T)</param>
    /// <returns>(B, C)</returns>
    public static Tensor Pool(Tensor hidden, Tensor attentionMask, PoolingMode mode, BertModel model)
    {
        switch (mode)
        {
            case PoolingMode.Cls: return hidden[.., 0];
            case PoolingMode.Pooler: return model.Pooler.forward(hidden);
            case PoolingMode.Mean:
                var m = attentionMask.unsqueeze(-1).to_type(hidden.dtype);                  // (B, T, 1)
                return (hidden * m).sum(1) / m.sum(1).clamp_min(1e-9);
            case PoolingMode.Max:
                var pad = attentionMask.unsqueeze(-1).eq(0);                                // (B, T, 1)
                return hidden.masked_fill(pad, -1e9).max(1).values;
            default: throw new ArgumentOutOfRangeException(nameof(mode));
        }
    }
}

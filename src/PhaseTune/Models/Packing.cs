using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>Where the real tokens of a padded (B, T) batch sit. Everything but attention works token by token, so it
/// can run on the N real tokens alone (packed (N, C) rows); attention pads back to (B, T) around its softmax. The
/// results at real tokens are the padded computation's: padding only ever changes the pad rows, which no pooling,
/// loss or metric reads. Batches of short sentences padded to their longest hold about twice as many positions as
/// tokens, so this halves the dense layers' work.</summary>
public sealed class Packing
{
    /// <summary>(N,) flat positions of the real tokens in the (B·T) grid.</summary>
    public Tensor Index { get; }
    public long Batch { get; }
    public long Length { get; }

    Packing(Tensor index, long batch, long length) => (Index, Batch, Length) = (index, batch, length);

    /// <summary>The packing of a (B, T) attention mask, or null when it has no padding (nothing to gain).</summary>
    public static Packing? For(Tensor attentionMask)
    {
        var index = attentionMask.reshape(-1).nonzero().squeeze(1);              // (N,)
        long b = attentionMask.shape[0], t = attentionMask.shape[1];
        return index.shape[0] == b * t ? null : new Packing(index, b, t);
    }

    /// <param name="padded">(B, T, ...) or (B, T)</param> <returns>(N, ...) the rows of real tokens</returns>
    public Tensor ToPacked(Tensor padded)
    {
        var rows = padded.shape.Skip(2).ToArray();
        return padded.reshape([Batch * Length, .. rows]).index_select(0, Index);
    }

    /// <param name="packed">(N, C)</param> <returns>(B, T, C) with zeros at the padding</returns>
    public Tensor ToPadded(Tensor packed)
    {
        long c = packed.shape[1];
        return zeros(Batch * Length, c, dtype: packed.dtype, device: packed.device).index_copy(0, Index, packed).view(Batch, Length, c);
    }
}

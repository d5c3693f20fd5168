using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>One training objective: a batch in, a scalar loss out (as sentence-transformers' losses).</summary>
public interface ILoss<in TBatch>
{
    Tensor Forward(TBatch batch);
}

/// <summary>A padded, tokenised batch as (B, T) int64 tensors.</summary>
public sealed record TokenBatch(Tensor Ids, Tensor Mask, Tensor Types)
{
    public static TokenBatch From(Text.PaddedBatch b)
    {
        Tensor T(int[][] rows) => tensor(rows.SelectMany(r => r.Select(v => (long)v)).ToArray(), [b.BatchSize, b.SeqLen]);
        return new TokenBatch(T(b.InputIds), T(b.AttentionMask), T(b.TokenTypeIds));
    }
}

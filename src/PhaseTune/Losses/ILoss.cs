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
        var (ids, mask, types) = Models.Embedder.ToTensors(b);
        return new TokenBatch(ids, mask, types);
    }
}

using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>One training objective: a batch in, a scalar loss out (as sentence-transformers' losses).</summary>
public interface ILoss<in TBatch>
{
    Tensor Forward(TBatch batch);
}

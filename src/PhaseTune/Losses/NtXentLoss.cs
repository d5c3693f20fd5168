using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR (Chen et al. 2020, "A Simple
/// Framework for Contrastive Learning of Visual Representations"): two views per example; for each view the other
/// view of its example is the positive and the remaining 2N−2 views the negatives. Labels are ignored. Reduction
/// "mean" is the paper's 1/2N Σ ℓ; "sum" leaves out the 1/2N.</summary>
public sealed class NtXentLoss(double temperature = 0.5, string reduction = "mean") : ILoss<ViewsBatch>
{
    readonly nn.Reduction _reduction = reduction switch
    {
        "mean" => nn.Reduction.Mean,
        "sum" => nn.Reduction.Sum,
        _ => throw new ArgumentException($"unknown reduction '{reduction}' (mean, sum)"),
    };

    public Tensor Forward(ViewsBatch batch)
    {
        long n = batch.Views.shape[0];
        if (batch.Views.shape[1] != 2) throw new ArgumentException("NT-Xent takes exactly two views per example");
        var z = nn.functional.normalize(batch.Views.reshape(2 * n, -1), dim: 1);    // rows 2i, 2i+1: the views of i
        var logits = (z.matmul(z.T) / temperature).masked_fill(eye(2 * n, dtype: ScalarType.Bool, device: z.device), double.NegativeInfinity);
        var target = arange(2 * n, device: z.device).bitwise_xor(1);               // 2i ↔ 2i+1
        return nn.functional.cross_entropy(logits, target, reduction: _reduction);
    }
}

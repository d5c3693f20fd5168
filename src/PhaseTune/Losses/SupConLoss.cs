using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>Supervised contrastive loss (Khosla et al. 2020, "Supervised Contrastive Learning", eq. 2, L_out):
/// every view is an anchor; its positives are the other views of the same label; the denominator runs over all
/// other views. Views are L2-normalised; the loss is scaled by temperature / base temperature. Reduction "mean"
/// averages over anchors (the paper's code); "sum" adds them up, as the sum over i ∈ I of eq. 2 (and the MASSIVE
/// report's eq. 1) is written.</summary>
public sealed class SupConLoss(double temperature = 0.07, double baseTemperature = 0.07, string reduction = "mean") : ILoss<ViewsBatch>
{
    readonly string _reduction = reduction is "mean" or "sum" ? reduction : throw new ArgumentException($"unknown reduction '{reduction}' (mean, sum)");

    public Tensor Forward(ViewsBatch batch)
    {
        if (batch.Labels is null) throw new ArgumentException("SupCon needs labels (use NT-Xent for the unsupervised case)");
        long n = batch.Views.shape[0], v = batch.Views.shape[1];
        var z = nn.functional.normalize(batch.Views.reshape(n * v, -1), dim: 1);   // (NV, D), example-major
        var labels = batch.Labels.repeat_interleave(v);                              // (NV,)
        var logits = z.matmul(z.T) / temperature;                                    // (NV, NV)
        var self = eye(n * v, dtype: ScalarType.Bool, device: z.device);
        var positive = labels.unsqueeze(0).eq(labels.unsqueeze(1)).logical_and(self.logical_not());
        var logProb = logits - logits.masked_fill(self, double.NegativeInfinity).logsumexp(1, keepdim: true);
        var meanPositive = (logProb * positive).sum(1) / positive.sum(1).clamp_min(1);
        var perAnchor = -(temperature / baseTemperature) * meanPositive;               // (NV,)
        return _reduction == "sum" ? perAnchor.sum() : perAnchor.mean();
    }
}

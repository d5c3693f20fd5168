using static TorchSharp.torch;

namespace PhaseTune.Training.Optimization;

/// <summary>Gradient surgery (Yu et al. 2020, "Gradient Surgery for Multi-Task Learning"): each task's gradient on
/// the shared parameters is projected, against the other tasks in random order, onto the normal plane of any
/// gradient it conflicts with (negative dot product); the projected gradients are summed (the paper's "sum") or
/// averaged ("mean", as the CS224N multi-task report sets "the final gradient as the mean of the input gradients").
/// Task weights scale each task's gradient before the projection, as weighting its loss would.</summary>
public static class PCGrad
{
    public static readonly string[] Reductions = ["sum", "mean"];

    /// <param name="grads">one flattened gradient (P) per task</param>
    /// <param name="reduction">sum | mean of the projected gradients</param>
    /// <param name="weights">per task; null: all 1</param>
    public static Tensor Combine(IReadOnlyList<Tensor> grads, Random rng, string reduction = "sum", IReadOnlyList<double>? weights = null)
    {
        if (!Reductions.Contains(reduction)) throw new ArgumentException($"unknown PCGrad reduction '{reduction}' (sum, mean)");
        if (weights is not null && weights.Count != grads.Count) throw new ArgumentException($"{weights.Count} PCGrad weights for {grads.Count} tasks");
        using var _ = no_grad();
        var weighted = grads.Select((g, i) => weights is null ? g : g * weights[i]).ToList();
        var projected = new List<Tensor>();
        for (int i = 0; i < weighted.Count; i++)
        {
            var g = weighted[i].clone();
            var others = Enumerable.Range(0, weighted.Count).Where(j => j != i).ToArray();
            rng.Shuffle(others);
            foreach (int j in others)
            {
                double dot = g.dot(weighted[j]).item<float>();
                if (dot < 0) g.sub_(weighted[j] * (dot / weighted[j].dot(weighted[j]).item<float>()));
            }
            projected.Add(g);
        }
        var all = stack(projected);
        return reduction == "mean" ? all.mean([0]) : all.sum(dim: 0);
    }
}

using static TorchSharp.torch;

namespace PhaseTune.Training.Optimization;

/// <summary>Gradient surgery (Yu et al. 2020, "Gradient Surgery for Multi-Task Learning"): each task's gradient on
/// the shared parameters is projected, against the other tasks in random order, onto the normal plane of any
/// gradient it conflicts with (negative dot product); the projected gradients are summed.</summary>
public static class PCGrad
{
    /// <param name="grads">one flattened gradient (P) per task</param>
    public static Tensor Combine(IReadOnlyList<Tensor> grads, Random rng)
    {
        using var _ = no_grad();
        var projected = new List<Tensor>();
        for (int i = 0; i < grads.Count; i++)
        {
            var g = grads[i].clone();
            var others = Enumerable.Range(0, grads.Count).Where(j => j != i).ToArray();
            rng.Shuffle(others);
            foreach (int j in others)
            {
                double dot = g.dot(grads[j]).item<float>();
                if (dot < 0) g.sub_(grads[j] * (dot / grads[j].dot(grads[j]).item<float>()));
            }
            projected.Add(g);
        }
        return stack(projected).sum(dim: 0);
    }
}

namespace PhaseTune.MultiTask;

/// <summary>Which task each step of an epoch trains: "sequential" (all of task 1, then task 2, …), "round_robin"
/// (one batch of each in turn, skipping exhausted tasks) or "mtdnn" (Liu et al. 2019, "Multi-Task Deep Neural
/// Networks for Natural Language Understanding": a random task per step, probability ∝ batches × weight).</summary>
public static class TaskSampler
{
    public static int[] Sequence(string sampler, IReadOnlyList<int> batches, IReadOnlyList<double> weights, Random rng)
    {
        int total = batches.Sum();
        switch (sampler)
        {
            case "sequential":
                return batches.SelectMany((n, t) => Enumerable.Repeat(t, n)).ToArray();
            case "round_robin":
                var left = batches.ToArray();
                var seq = new List<int>(total);
                while (seq.Count < total)
                    for (int t = 0; t < left.Length; t++)
                        if (left[t] > 0) { seq.Add(t); left[t]--; }
                return seq.ToArray();
            case "mtdnn":
                var p = batches.Select((n, t) => n * weights[t]).ToArray();
                double sum = p.Sum();
                var cumulative = p.Select((_, t) => p.Take(t + 1).Sum() / sum).ToArray();
                return Enumerable.Range(0, total).Select(_ =>
                {
                    double u = rng.NextDouble();
                    int t = Array.FindIndex(cumulative, c => u < c);
                    return t < 0 ? cumulative.Length - 1 : t;
                }).ToArray();
            default:
                throw new ArgumentException($"unknown sampler '{sampler}' (sequential, round_robin, mtdnn)");
        }
    }
}

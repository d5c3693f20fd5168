namespace PhaseTune.MultiTask;

/// <summary>Which task each step trains, by training order (the CS224N multi-task report's names, §4 and Figure 4):
/// "sequential" trains one task for all epochs, then the next (the phase runs epochs × tasks epochs);
/// "round_robin" passes over each task of a fixed order inside every epoch, repeats allowed (SST, STS, SST, STS, QQP);
/// "interleaved" takes one batch of each task in turn, skipping exhausted tasks; "mtdnn" (Liu et al. 2019,
/// "Multi-Task Deep Neural Networks for Natural Language Understanding") a random task per step, probability ∝
/// batches × weight. <c>order</c> holds task indices (sequential and round_robin; the others use every task).</summary>
public sealed class TaskSampler
{
    public static readonly string[] Orders = ["sequential", "round_robin", "interleaved", "mtdnn"];

    readonly string _kind;
    readonly int[] _order;
    readonly int _epochs;
    readonly int[] _batches;
    readonly double[] _weights;

    /// <param name="epochs">the configured epochs (per task for sequential)</param>
    /// <param name="batches">batches in one pass over each task's training data</param>
    public TaskSampler(string kind, IReadOnlyList<int> order, int epochs, IReadOnlyList<int> batches, IReadOnlyList<double> weights)
    {
        if (!Orders.Contains(kind)) throw new ArgumentException($"unknown training order '{kind}' ({string.Join(", ", Orders)})");
        _kind = kind; _epochs = epochs; _batches = batches.ToArray(); _weights = weights.ToArray();
        _order = order.Count > 0 ? order.ToArray() : Enumerable.Range(0, batches.Count).ToArray();
    }

    /// <summary>Epochs of the phase: sequential trains each task of the order for all configured epochs.</summary>
    public int Epochs => _kind == "sequential" ? _epochs * _order.Length : _epochs;

    /// <summary>Steps of an epoch (the length of its <see cref="Sequence"/>).</summary>
    public int Length(int epoch) => _kind switch
    {
        "sequential" => _batches[_order[epoch / _epochs]],
        "round_robin" => _order.Sum(t => _batches[t]),
        _ => _batches.Sum(),
    };

    /// <summary>The task of every step of <paramref name="epoch"/>; only mtdnn draws from <paramref name="rng"/>.</summary>
    public int[] Sequence(int epoch, Random rng)
    {
        switch (_kind)
        {
            case "sequential":
                return Enumerable.Repeat(_order[epoch / _epochs], _batches[_order[epoch / _epochs]]).ToArray();
            case "round_robin":
                return _order.SelectMany(t => Enumerable.Repeat(t, _batches[t])).ToArray();
            case "interleaved":
                var left = _batches.ToArray();
                int total = _batches.Sum();
                var seq = new List<int>(total);
                while (seq.Count < total)
                    for (int t = 0; t < left.Length; t++)
                        if (left[t] > 0) { seq.Add(t); left[t]--; }
                return seq.ToArray();
            default:
                var p = _batches.Select((n, t) => n * _weights[t]).ToArray();
                double sum = p.Sum();
                var cumulative = p.Select((_, t) => p.Take(t + 1).Sum() / sum).ToArray();
                return Enumerable.Range(0, _batches.Sum()).Select(_ =>
                {
                    double u = rng.NextDouble();
                    int t = Array.FindIndex(cumulative, c => u < c);
                    return t < 0 ? cumulative.Length - 1 : t;
                }).ToArray();
        }
    }
}

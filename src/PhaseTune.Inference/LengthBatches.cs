namespace PhaseTune.Inference;

/// <summary>Cuts texts into OnnxRuntime calls. Sorted by length, a call closes when it is full or when the next text
/// would pad the call's rows by more than <see cref="Slack"/> of their real tokens (a padded token costs as much as a
/// real one in a dense graph); a call keeps at least <see cref="MinRows"/> rows, so matrix products stay wide.</summary>
internal static class LengthBatches
{
    const double Slack = 1.25;
    const int MinRows = 8;

    /// <returns>indices into <paramref name="lengths"/>, one array per call</returns>
    public static List<int[]> Plan(IReadOnlyList<int> lengths, int batchSize, bool sortByLength)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be at least 1");
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        if (!sortByLength) return order.Chunk(batchSize).ToList();
        Array.Sort(order, (a, b) => lengths[a] != lengths[b] ? lengths[a].CompareTo(lengths[b]) : a.CompareTo(b));
        var calls = new List<int[]>();
        var current = new List<int>();
        long real = 0;
        foreach (int i in order)
        {
            int n = lengths[i];   // the longest so far: the order is ascending
            bool full = current.Count == batchSize;
            bool wasteful = current.Count >= MinRows && (long)(current.Count + 1) * n > Slack * (real + n);
            if (full || wasteful) { calls.Add(current.ToArray()); current.Clear(); real = 0; }
            current.Add(i);
            real += n;
        }
        if (current.Count > 0) calls.Add(current.ToArray());
        return calls;
    }
}

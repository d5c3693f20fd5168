namespace PhaseTune.Data;

/// <summary>Draws, for an example, another example of the same label or one of any other label, in O(1) per draw after
/// an O(N) index: the examples sorted by label, each label a contiguous range, so "any other label" is one uniform
/// draw over the N − n(label) positions outside that range (rebuilding the pool of other labels per draw is O(N²)).</summary>
public sealed class LabelSampler
{
    readonly int[] _order;        // example indices grouped by label
    readonly int[] _start, _count; // per example: where its label's range starts and how long it is

    public LabelSampler(IReadOnlyList<string> labels)
    {
        var groups = Enumerable.Range(0, labels.Count).GroupBy(i => labels[i], StringComparer.Ordinal).ToList();
        _order = groups.SelectMany(g => g).ToArray();
        _start = new int[labels.Count];
        _count = new int[labels.Count];
        int at = 0;
        foreach (var g in groups)
        {
            int n = g.Count();
            foreach (int i in g) { _start[i] = at; _count[i] = n; }
            at += n;
        }
        Labels = groups.Count;
    }

    public int Labels { get; }

    /// <summary>A uniformly drawn other example of i's label; i itself when it is its label's only example.</summary>
    public int Same(int i, Random rng)
    {
        if (_count[i] == 1) return i;
        int j;
        do j = _order[_start[i] + rng.Next(_count[i])]; while (j == i);
        return j;
    }

    /// <summary>A uniformly drawn example of any other label; i itself when there is no other label.</summary>
    public int Other(int i, Random rng)
    {
        int outside = _order.Length - _count[i];
        if (outside == 0) return i;
        int r = rng.Next(outside);
        return _order[r < _start[i] ? r : r + _count[i]];
    }
}

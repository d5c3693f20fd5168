namespace PhaseTune.Text;

/// <summary>A character trie over vocabulary pieces, frozen into sorted child arrays: walking it from a position
/// meets every piece that starts there, shortest first, and stops where no piece continues (a dictionary probe per
/// possible length was several times slower).</summary>
internal sealed class PieceTrie
{
    readonly int[] _childStart, _childCount, _pieceId;   // per node
    readonly char[] _labels;                              // children of each node, sorted by label
    readonly int[] _targets;

    /// <summary>Built breadth-first from the pieces in ordinal order, where every node's pieces are one contiguous run
    /// and its children's labels come sorted: no object per node, for vocabularies of 250,000 pieces.</summary>
    public PieceTrie(IEnumerable<(string Piece, int Id)> pieces)
    {
        var sorted = pieces.OrderBy(p => p.Piece, StringComparer.Ordinal).ToArray();
        var childStart = new List<int> { 0 };
        var childCount = new List<int> { 0 };
        var pieceId = new List<int> { -1 };
        var labels = new List<char>();
        var targets = new List<int>();
        var queue = new Queue<(int Lo, int Hi, int Depth, int Node)>();
        queue.Enqueue((0, sorted.Length, 0, 0));
        while (queue.Count > 0)
        {
            var (i, hi, depth, node) = queue.Dequeue();
            if (i < hi && sorted[i].Piece.Length == depth) pieceId[node] = sorted[i++].Id;
            while (i < hi && sorted[i].Piece.Length == depth) i++;   // a repeated piece keeps its first id
            childStart[node] = labels.Count;
            while (i < hi)
            {
                char c = sorted[i].Piece[depth];
                int j = i;
                while (j < hi && sorted[j].Piece[depth] == c) j++;
                int child = pieceId.Count;
                childStart.Add(0); childCount.Add(0); pieceId.Add(-1);
                labels.Add(c); targets.Add(child);
                queue.Enqueue((i, j, depth + 1, child));
                i = j;
            }
            childCount[node] = labels.Count - childStart[node];
        }
        _childStart = childStart.ToArray();
        _childCount = childCount.ToArray();
        _pieceId = pieceId.ToArray();
        _labels = labels.ToArray();
        _targets = targets.ToArray();
    }

    public const int Root = 0;

    /// <summary>The node after <paramref name="c"/> from <paramref name="node"/>, or -1 where no piece continues.</summary>
    public int Step(int node, char c)
    {
        int k = Array.BinarySearch(_labels, _childStart[node], _childCount[node], c);
        return k < 0 ? -1 : _targets[k];
    }

    /// <summary>The id of the piece that ends at <paramref name="node"/>, or -1.</summary>
    public int PieceAt(int node) => _pieceId[node];
}

namespace PhaseTune.Text;

/// <summary>Token ids of one text or text pair, with HF's token types, masks and character offsets.</summary>
/// <remarks>Offsets are [start, end) UTF-16 indices into the segment they came from; (0, 0) for special tokens.</remarks>
public sealed record Encoding(int[] Ids, int[] TypeIds, (int Start, int End)[] Offsets, string[] Tokens)
{
    public int Length => Ids.Length;
    public int[] AttentionMask => Enumerable.Repeat(1, Ids.Length).ToArray();
}

/// <summary>Word pieces of one segment before special tokens are added.</summary>
public sealed record Pieces(List<int> Ids, List<string> Tokens, List<(int Start, int End)> Offsets)
{
    public Pieces() : this(new(), new(), new()) { }
    public int Count => Ids.Count;

    public void Add(int id, string token, int start, int end)
    {
        Ids.Add(id);
        Tokens.Add(token);
        Offsets.Add((start, end));
    }

    public void TruncateTo(int n)
    {
        if (n >= Count) return;
        Ids.RemoveRange(n, Count - n);
        Tokens.RemoveRange(n, Count - n);
        Offsets.RemoveRange(n, Count - n);
    }
}

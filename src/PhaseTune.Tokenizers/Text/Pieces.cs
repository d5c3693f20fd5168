namespace PhaseTune.Text;

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

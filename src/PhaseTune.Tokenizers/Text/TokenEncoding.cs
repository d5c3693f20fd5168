namespace PhaseTune.Text;

/// <summary>Token ids of one text or text pair, with HF's token types, masks and character offsets.</summary>
/// <remarks>Offsets are [start, end) UTF-16 indices into the segment they came from; (0, 0) for special tokens.</remarks>
public sealed record TokenEncoding(int[] Ids, int[] TypeIds, (int Start, int End)[] Offsets, string[] Tokens)
{
    public int Length => Ids.Length;
    public int[] AttentionMask => Enumerable.Repeat(1, Ids.Length).ToArray();
}

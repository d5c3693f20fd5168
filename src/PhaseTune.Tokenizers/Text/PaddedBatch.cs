namespace PhaseTune.Text;

/// <summary>A padded batch as plain arrays, row-major (B, T).</summary>
public sealed record PaddedBatch(int[][] InputIds, int[][] AttentionMask, int[][] TokenTypeIds)
{
    public int BatchSize => InputIds.Length;
    public int SeqLen => InputIds.Length == 0 ? 0 : InputIds[0].Length;
}

namespace PhaseTune.Text;

/// <summary>Pads a batch of encodings to its longest member (or a fixed length) on the right.</summary>
public static class Collator
{
    public static PaddedBatch Pad(IReadOnlyList<TokenEncoding> batch, int padId, int? padTo = null)
    {
        if (batch.Count == 0) throw new ArgumentException("cannot pad an empty batch");
        int t = padTo ?? batch.Max(e => e.Length);
        if (batch.Any(e => e.Length > t)) throw new ArgumentException($"an encoding is longer than the pad length {t}");
        int[] Row(int[] src, int fill) { var r = new int[t]; Array.Fill(r, fill); src.CopyTo(r, 0); return r; }
        return new PaddedBatch(
            batch.Select(e => Row(e.Ids, padId)).ToArray(),
            batch.Select(e => Row(e.AttentionMask, 0)).ToArray(),
            batch.Select(e => Row(e.TypeIds, 0)).ToArray());
    }
}

using static TorchSharp.torch;

namespace PhaseTune.Text;

/// <summary>A padded, tokenised batch as (B, T) int64 tensors.</summary>
public sealed record TokenBatch(Tensor Ids, Tensor Mask, Tensor Types)
{
    public static TokenBatch From(PaddedBatch b)
    {
        Tensor T(int[][] rows) => tensor(rows.SelectMany(r => r.Select(v => (long)v)).ToArray(), [b.BatchSize, b.SeqLen]);
        return new TokenBatch(T(b.InputIds), T(b.AttentionMask), T(b.TokenTypeIds));
    }

    public static TokenBatch Encode(ITokenizer tok, IEnumerable<string> texts, int maxLength) =>
        From(Collator.Pad(texts.Select(t => tok.Encode(t, maxLength: maxLength)).ToArray(), tok.PadId));

    public static TokenBatch EncodePairs(ITokenizer tok, IEnumerable<(string A, string? B)> texts, int maxLength) =>
        From(Collator.Pad(texts.Select(t => tok.Encode(t.A, t.B, maxLength: maxLength)).ToArray(), tok.PadId));

    /// <summary>Pads pre-tokenised rows: texts that stay the same every epoch are tokenised once, not every step.</summary>
    public static TokenBatch Collate(ITokenizer tok, IEnumerable<TokenEncoding> rows) =>
        From(Collator.Pad(rows.ToArray(), tok.PadId));
}

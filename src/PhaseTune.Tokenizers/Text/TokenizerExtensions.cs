namespace PhaseTune.Text;

public static class TokenizerExtensions
{
    /// <summary>Encodes a text or pair, truncating to <paramref name="maxLength"/> tokens (specials included)
    /// longest-first, as HF's default truncation strategy does for pairs.</summary>
    public static TokenEncoding Encode(this ITokenizer tok, string text, string? pair = null, int? maxLength = null,
        bool addSpecialTokens = true)
    {
        var a = tok.Tokenize(text);
        var b = pair is null ? null : tok.Tokenize(pair);
        if (maxLength is int max)
        {
            int budget = max - (addSpecialTokens ? tok.SpecialTokenCount(b is not null) : 0);
            if (budget < 0) throw new ArgumentException($"max length {max} leaves no room for the special tokens");
            TruncateLongestFirst(a, b, budget);
        }
        if (addSpecialTokens) return tok.AddSpecialTokens(a, b);
        var all = new Pieces();
        foreach (var (p, type) in b is null ? new[] { (a, 0) } : new[] { (a, 0), (b, 1) })
            for (int i = 0; i < p.Count; i++) all.Add(p.Ids[i], p.Tokens[i], p.Offsets[i].Start, p.Offsets[i].End);
        var types = b is null ? new int[a.Count] : Enumerable.Repeat(0, a.Count).Concat(Enumerable.Repeat(1, b.Count)).ToArray();
        return new TokenEncoding(all.Ids.ToArray(), types, all.Offsets.ToArray(), all.Tokens.ToArray());
    }

    /// <summary>HF tokenizers' (Rust) longest-first: the shorter segment (the first on a tie) keeps
    /// min(its length, budget / 2) tokens and the longer one the rest.</summary>
    static void TruncateLongestFirst(Pieces a, Pieces? b, int budget)
    {
        if (b is null) { a.TruncateTo(budget); return; }
        if (a.Count + b.Count <= budget) return;
        bool aShorter = a.Count <= b.Count;
        var (shorter, longer) = aShorter ? (a, b) : (b, a);
        int keep = Math.Min(shorter.Count, budget / 2);
        shorter.TruncateTo(keep);
        longer.TruncateTo(budget - keep);
    }
}

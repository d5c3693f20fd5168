using PhaseTune.Text;

namespace PhaseTune.Augmentation;

/// <summary>BERT's masked-LM corruption (Devlin et al. 2019): each token, or with whole-word masking each word, is
/// chosen with the given probability (15 %); a chosen token becomes the mask token 80 % of the time, a random token
/// 10 %, and stays 10 %; its label is the original id, every other label -100. Special tokens are never chosen.
/// Unlike HF's collator, a text with nothing chosen gets one unit chosen at random, so no batch is without a
/// target.</summary>
public static class TokenMasking
{
    public static (int[] Ids, long[] Labels) Mask(TokenEncoding e, ITokenizer tok, double probability, bool wholeWord, Random rng)
    {
        var units = new List<List<int>>();
        for (int i = 0; i < e.Length; i++)
        {
            int id = e.Ids[i];
            if (id == tok.ClsId || id == tok.SepId || id == tok.PadId) continue;
            bool continues = wholeWord && units.Count > 0 && units[^1][^1] == i - 1 && ContinuesWord(e.Tokens[i], tok);
            if (continues) units[^1].Add(i); else units.Add([i]);
        }
        var chosen = units.Where(_ => rng.NextDouble() < probability).ToList();
        if (chosen.Count == 0 && units.Count > 0) chosen.Add(units[rng.Next(units.Count)]);
        var ids = (int[])e.Ids.Clone();
        var labels = Enumerable.Repeat(-100L, e.Length).ToArray();
        foreach (int i in chosen.SelectMany(u => u))
        {
            labels[i] = e.Ids[i];
            double r = rng.NextDouble();
            if (r < 0.8) ids[i] = tok.MaskId;
            else if (r < 0.9) ids[i] = rng.Next(tok.VocabSize);
        }
        return (ids, labels);
    }

    /// <summary>A WordPiece continuation starts with "##"; a byte-level BPE word starts with the space mark "Ġ", a
    /// SentencePiece word with "▁".</summary>
    static bool ContinuesWord(string token, ITokenizer tok) => tok switch
    {
        ByteLevelBpeTokenizer => !token.StartsWith('\u0120'),
        UnigramTokenizer => !token.StartsWith(SentencePieceNormalizer.SpaceSymbol),
        _ => token.StartsWith("##", StringComparison.Ordinal),
    };
}

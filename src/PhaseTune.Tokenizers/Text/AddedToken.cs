namespace PhaseTune.Text;

/// <summary>A special token matched verbatim in raw text before normalisation (HF "added tokens").</summary>
/// <param name="LStrip">Also swallows the whitespace before it, as RoBERTa's &lt;mask&gt; does.</param>
public sealed record AddedToken(string Content, int Id, bool LStrip = false)
{
    /// <summary>Added tokens must name ids of the vocabulary: the encoder has an embedding row for those only.</summary>
    public static void CheckIds(IEnumerable<AddedToken> tokens, int vocabSize)
    {
        foreach (var t in tokens)
            if (t.Id < 0 || t.Id >= vocabSize)
                throw new InvalidDataException($"added token '{t.Content}' has id {t.Id}, outside the vocabulary (0..{vocabSize - 1})");
    }
}

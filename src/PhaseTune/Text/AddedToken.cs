namespace PhaseTune.Text;

/// <summary>A special token matched verbatim in raw text before normalisation (HF "added tokens").</summary>
/// <param name="LStrip">Also swallows the whitespace before it, as RoBERTa's &lt;mask&gt; does.</param>
public sealed record AddedToken(string Content, int Id, bool LStrip = false);

namespace PhaseTune.Text;

public static class AddedTokenSplitter
{
    /// <summary>Splits text into plain spans and special-token matches (longest token first at each position).</summary>
    public static IEnumerable<(int Start, int End, AddedToken? Token)> Split(string text, IReadOnlyList<AddedToken> tokens)
    {
        var ordered = tokens.Where(t => t.Content.Length > 0).OrderByDescending(t => t.Content.Length).ToArray();
        int plainStart = 0, i = 0;
        while (i < text.Length)
        {
            var hit = ordered.FirstOrDefault(t => string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) == 0);
            if (hit is null) { i++; continue; }
            int plainEnd = i;
            if (hit.LStrip) while (plainEnd > plainStart && char.IsWhiteSpace(text[plainEnd - 1])) plainEnd--;
            if (plainEnd > plainStart) yield return (plainStart, plainEnd, null);
            yield return (i, i + hit.Content.Length, hit);
            i += hit.Content.Length;
            plainStart = i;
        }
        if (plainStart < text.Length) yield return (plainStart, text.Length, null);
    }
}

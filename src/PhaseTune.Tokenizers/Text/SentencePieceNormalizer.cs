using System.Text;

namespace PhaseTune.Text;

/// <summary>SentencePiece's normalizer: the compiled character rules (longest match over UTF-8), then — with
/// <see cref="RemoveExtraWhitespaces"/> — leading, trailing and repeated spaces dropped, spaces written as "▁",
/// and a "▁" put in front (<see cref="AddDummyPrefix"/>). HF's tokenizer.json spells the same as Precompiled +
/// Replace(" {2,}", " ") + Metaspace(prepend "always").</summary>
public sealed record SentencePieceNormalizer(PrecompiledCharsMap? CharsMap, bool AddDummyPrefix = true, bool RemoveExtraWhitespaces = true)
{
    public const char SpaceSymbol = '\u2581';

    /// <summary>Normalizes <paramref name="text"/>; <paramref name="toOriginal"/>[i] is the index in
    /// <paramref name="text"/> that normalized character i came from (one entry more for the end).</summary>
    public string Normalize(string text, out int[] toOriginal)
    {
        byte[] src = Encoding.UTF8.GetBytes(text);
        // UTF-16 index of the character starting at each UTF-8 byte, -1 inside a character
        var charAt = new int[src.Length + 1];
        for (int b = 0, c = 0; c < text.Length;)
        {
            // a lone surrogate is one U+FFFD (3 bytes) to UTF-8, as to Encoding.UTF8
            Rune.DecodeFromUtf16(text.AsSpan(c), out var rune, out int units);
            charAt[b] = c;
            for (int k = 1; k < rune.Utf8SequenceLength; k++) charAt[b + k] = -1;
            b += rune.Utf8SequenceLength;
            c += units;
        }
        charAt[src.Length] = text.Length;

        ReadOnlySpan<char> Prefix(int at, out int used)
        {
            // a rule ending inside a character could only come from a malformed map: it is ignored
            if (CharsMap is not null && CharsMap.TryMatch(src.AsSpan(at), out used, out var replacement) && charAt[at + used] >= 0)
                return replacement;
            Rune.DecodeFromUtf16(text.AsSpan(charAt[at]), out var rune, out int units);
            used = rune.Utf8SequenceLength;
            return text.AsSpan(charAt[at], units);
        }

        int pos = 0;
        if (RemoveExtraWhitespaces)
            while (pos < src.Length)
            {
                if (!Prefix(pos, out int used).SequenceEqual(" ")) break;
                pos += used;
            }
        if (pos == src.Length)
        {
            toOriginal = [text.Length];
            return "";
        }
        var sb = new StringBuilder(text.Length + 1);
        var map = new List<int>(text.Length + 2);
        if (AddDummyPrefix) { sb.Append(SpaceSymbol); map.Add(charAt[pos]); }
        bool prevSpace = RemoveExtraWhitespaces;
        while (pos < src.Length)
        {
            int origin = charAt[pos];
            var piece = Prefix(pos, out int used);
            while (prevSpace && piece.Length > 0 && piece[0] == ' ') piece = piece[1..];
            if (piece.Length > 0)
            {
                foreach (char ch in piece) { sb.Append(ch == ' ' ? SpaceSymbol : ch); map.Add(origin); }
                prevSpace = piece[^1] == ' ';
            }
            pos += used;
            if (!RemoveExtraWhitespaces) prevSpace = false;
        }
        int end = text.Length;
        if (RemoveExtraWhitespaces)
            while (sb.Length > 0 && sb[^1] == SpaceSymbol)
            {
                end = map[^1];
                sb.Length--;
                map.RemoveAt(map.Count - 1);
            }
        map.Add(end);
        toOriginal = map.ToArray();
        return sb.ToString();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;

namespace PhaseTune.Text;

/// <summary>BERT's tokenizer: HF BertNormalizer + BertPreTokenizer + WordPiece, with character offsets.</summary>
public sealed class WordPieceTokenizer : ITokenizer
{
    public sealed record Options(bool Lowercase = true, bool? StripAccents = null, bool HandleChineseChars = true,
        bool CleanText = true, string UnkToken = "[UNK]", string ClsToken = "[CLS]", string SepToken = "[SEP]",
        string PadToken = "[PAD]", string MaskToken = "[MASK]", string Prefix = "##", int MaxInputCharsPerWord = 100);

    readonly Dictionary<string, int> _vocab;
    readonly string[] _idToToken;
    readonly List<AddedToken> _added;
    public Options Config { get; }

    public WordPieceTokenizer(IReadOnlyList<string> vocab, Options options, IEnumerable<AddedToken>? added = null)
    {
        Config = options;
        _idToToken = vocab.ToArray();
        if (_idToToken.Length == 0) throw new InvalidDataException("empty vocabulary");
        _vocab = new Dictionary<string, int>(_idToToken.Length, StringComparer.Ordinal);
        for (int i = 0; i < _idToToken.Length; i++) _vocab.TryAdd(_idToToken[i], i);
        int Require(string token) => _vocab.TryGetValue(token, out var id) ? id
            : throw new InvalidDataException($"special token '{token}' is not in the vocabulary");
        UnkId = Require(options.UnkToken);
        ClsId = Require(options.ClsToken);
        SepId = Require(options.SepToken);
        PadId = Require(options.PadToken);
        MaskId = _vocab.GetValueOrDefault(options.MaskToken, UnkId);
        _added = added?.ToList() ?? new[] { options.PadToken, options.UnkToken, options.ClsToken, options.SepToken, options.MaskToken }
            .Where(_vocab.ContainsKey).Select(t => new AddedToken(t, _vocab[t])).ToList();
        AddedToken.CheckIds(_added, _idToToken.Length);
    }

    /// <summary>Reads a BERT vocab.txt (one token per line, id = line number).</summary>
    public static WordPieceTokenizer FromVocabFile(string path, Options options)
    {
        var lines = File.ReadAllLines(path, System.Text.Encoding.UTF8);
        int n = lines.Length;
        while (n > 0 && lines[n - 1].Length == 0) n--;   // trailing newline(s), not tokens
        if (n == 0) throw new InvalidDataException($"{path}: empty vocabulary");
        try { return new WordPieceTokenizer(lines[..n], options); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    public int VocabSize => _idToToken.Length;
    public int PadId { get; }
    public int ClsId { get; }
    public int SepId { get; }
    public int MaskId { get; }
    public int UnkId { get; }
    public string IdToToken(int id) => _idToToken[id];
    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;
    public int SpecialTokenCount(bool pair) => pair ? 3 : 2;

    public TokenEncoding AddSpecialTokens(Pieces a, Pieces? b)
    {
        var ids = new List<int> { ClsId };
        var types = new List<int> { 0 };
        var offsets = new List<(int, int)> { (0, 0) };
        var tokens = new List<string> { Config.ClsToken };
        void Segment(Pieces p, int type)
        {
            ids.AddRange(p.Ids); types.AddRange(Enumerable.Repeat(type, p.Count));
            offsets.AddRange(p.Offsets); tokens.AddRange(p.Tokens);
            ids.Add(SepId); types.Add(type); offsets.Add((0, 0)); tokens.Add(Config.SepToken);
        }
        Segment(a, 0);
        if (b is not null) Segment(b, 1);
        return new TokenEncoding(ids.ToArray(), types.ToArray(), offsets.ToArray(), tokens.ToArray());
    }

    public Pieces Tokenize(string text)
    {
        var result = new Pieces();
        foreach (var (start, end, token) in AddedTokenSplitter.Split(text, _added))
        {
            if (token is not null) { result.Add(token.Id, token.Content, start, end); continue; }
            var (norm, src) = Normalize(text, start, end);
            foreach (var (ws, we) in PreTokenize(norm)) WordPiece(norm, src, ws, we, result);
        }
        return result;
    }

    /// <summary>BertNormalizer; src[k] is the original [start, end) of normalised char k.</summary>
    (string Norm, List<(int, int)> Src) Normalize(string text, int start, int end)
    {
        var sb = new StringBuilder(end - start);
        var src = new List<(int, int)>(end - start);
        bool strip = Config.StripAccents ?? Config.Lowercase;
        void Emit(string s, int i, int len) { foreach (var c in s) { sb.Append(c); src.Add((i, i + len)); } }
        for (int i = start; i < end;)
        {
            var rune = Rune.GetRuneAt(text, i);
            int len = rune.Utf16SequenceLength, cp = rune.Value;
            if (Config.CleanText && (cp == 0 || cp == 0xFFFD || IsControl(rune))) { i += len; continue; }
            if (Config.CleanText && IsWhitespace(rune)) Emit(" ", i, len);
            else if (Config.HandleChineseChars && IsChinese(cp)) Emit(" " + rune + " ", i, len);
            else
            {
                string s = rune.ToString();
                if (strip)
                    s = string.Concat(s.Normalize(NormalizationForm.FormD)
                        .Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark));
                if (Config.Lowercase) s = s.ToLowerInvariant();
                Emit(s, i, len);
            }
            i += len;
        }
        return (sb.ToString(), src);
    }

    /// <summary>BertPreTokenizer: split on whitespace, each punctuation character its own word.</summary>
    static IEnumerable<(int Start, int End)> PreTokenize(string s)
    {
        int wordStart = -1;
        for (int i = 0; i < s.Length;)
        {
            var rune = Rune.GetRuneAt(s, i);
            int len = rune.Utf16SequenceLength;
            if (Rune.IsWhiteSpace(rune) || IsPunctuation(rune))
            {
                if (wordStart >= 0) yield return (wordStart, i);
                wordStart = -1;
                if (!Rune.IsWhiteSpace(rune)) yield return (i, i + len);
            }
            else if (wordStart < 0) wordStart = i;
            i += len;
        }
        if (wordStart >= 0) yield return (wordStart, s.Length);
    }

    /// <summary>Greedy longest-match-first over the vocabulary; an unmatched word becomes [UNK] whole.</summary>
    void WordPiece(string norm, List<(int Start, int End)> src, int ws, int we, Pieces output)
    {
        var bounds = new List<int>();   // rune boundaries, so pieces never split a surrogate pair
        for (int i = ws; i < we; i += Rune.GetRuneAt(norm, i).Utf16SequenceLength) bounds.Add(i);
        bounds.Add(we);
        int origStart = src[ws].Start, origEnd = src[we - 1].End;
        if (bounds.Count - 1 > Config.MaxInputCharsPerWord) { output.Add(UnkId, Config.UnkToken, origStart, origEnd); return; }
        var found = new List<(int Id, string Token, int Start, int End)>();
        int b = 0;
        while (b < bounds.Count - 1)
        {
            int e = bounds.Count - 1, id = -1;
            string piece = "";
            for (; e > b; e--)
            {
                piece = norm[bounds[b]..bounds[e]];
                if (b > 0) piece = Config.Prefix + piece;
                if (_vocab.TryGetValue(piece, out id)) break;
            }
            if (e == b) { output.Add(UnkId, Config.UnkToken, origStart, origEnd); return; }
            found.Add((id, piece, src[bounds[b]].Start, src[bounds[e] - 1].End));
            b = e;
        }
        foreach (var f in found) output.Add(f.Id, f.Token, f.Start, f.End);
    }

    static bool IsControl(Rune r) => r.Value is not ('\t' or '\n' or '\r') &&
        Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    static bool IsWhitespace(Rune r) => r.Value is ' ' or '\t' or '\n' or '\r' ||
        Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    static bool IsPunctuation(Rune r) => r.Value is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126 ||
        Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    static bool IsChinese(int cp) => cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
        or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF
        or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;

    public void Save(string directory)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, "vocab.txt"), string.Join("\n", _idToToken) + "\n");
        var config = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = Config.Lowercase,
            ["strip_accents"] = Config.StripAccents,
            ["tokenize_chinese_chars"] = Config.HandleChineseChars,
            ["unk_token"] = Config.UnkToken, ["sep_token"] = Config.SepToken, ["pad_token"] = Config.PadToken,
            ["cls_token"] = Config.ClsToken, ["mask_token"] = Config.MaskToken,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"),
            config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}

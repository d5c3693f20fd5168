using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;

namespace PhaseTune.Text;

/// <summary>RoBERTa's (GPT-2) byte-level BPE: GPT-2 pre-tokenisation, bytes mapped to printable characters,
/// merges applied by rank. Offsets are trimmed of the leading space as RoBERTa's post-processor does.</summary>
public sealed class ByteLevelBpeTokenizer : ITokenizer
{
    public sealed record Options(string Bos = "<s>", string Eos = "</s>", string Pad = "<pad>", string Unk = "<unk>",
        string Mask = "<mask>", bool AddPrefixSpace = false);

    static readonly char[] ByteToChar = BuildByteMap();
    readonly Dictionary<string, int> _vocab;
    readonly string[] _idToToken;
    readonly Dictionary<(string, string), int> _ranks;
    readonly List<(string, string)> _merges;
    readonly List<AddedToken> _added;
    // concurrent: one tokenizer serves every thread of an inference service; bounded, as a service sees endless new words
    const int CacheLimit = 1 << 17;
    int _cached;
    readonly ConcurrentDictionary<string, List<string>> _cache = new(StringComparer.Ordinal);
    public Options Config { get; }

    public ByteLevelBpeTokenizer(IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string, string)> merges,
        Options options, IEnumerable<AddedToken>? added = null)
    {
        Config = options;
        _vocab = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        if (_vocab.Count == 0) throw new InvalidDataException("empty vocabulary");
        // ids are 0..n-1, each once: the id table is sized by the entries, never by a number in the file
        _idToToken = new string[_vocab.Count];
        foreach (var (t, id) in _vocab)
        {
            if (id < 0 || id >= _idToToken.Length) throw new InvalidDataException($"token '{t}' has id {id}, outside 0..{_idToToken.Length - 1}");
            if (_idToToken[id] is string other) throw new InvalidDataException($"tokens '{other}' and '{t}' share id {id}");
            _idToToken[id] = t;
        }
        _merges = merges.ToList();
        _ranks = new Dictionary<(string, string), int>(_merges.Count);
        for (int i = 0; i < _merges.Count; i++) _ranks.TryAdd(_merges[i], i);
        int Require(string token) => _vocab.TryGetValue(token, out var id) ? id
            : throw new InvalidDataException($"special token '{token}' is not in the vocabulary");
        ClsId = Require(options.Bos); SepId = Require(options.Eos); PadId = Require(options.Pad);
        UnkId = Require(options.Unk); MaskId = Require(options.Mask);
        _added = added?.ToList() ?? new List<AddedToken>
        {
            new(options.Bos, ClsId), new(options.Pad, PadId), new(options.Eos, SepId), new(options.Unk, UnkId),
            new(options.Mask, MaskId, LStrip: true),
        };
        AddedToken.CheckIds(_added, _idToToken.Length);
    }

    /// <summary>Reads vocab.json + merges.txt (the "#version" header line is skipped).</summary>
    public static ByteLevelBpeTokenizer FromFiles(string vocabJson, string mergesTxt, Options options)
    {
        Dictionary<string, int> vocab;
        try { vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabJson), new JsonSerializerOptions { AllowDuplicateProperties = false })
                ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new InvalidDataException($"{vocabJson}: not a token→id JSON object ({e.Message})"); }
        var merges = new List<(string, string)>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(mergesTxt))
        {
            lineNo++;
            if (line.StartsWith("#version") || line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2) throw new InvalidDataException($"{mergesTxt}:{lineNo}: expected two symbols, got '{line}'");
            merges.Add((parts[0], parts[1]));
        }
        try { return new ByteLevelBpeTokenizer(vocab, merges, options); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{vocabJson}: {e.Message}"); }
    }

    public int VocabSize => _idToToken.Length;
    public int PadId { get; }
    public int ClsId { get; }
    public int SepId { get; }
    public int MaskId { get; }
    public int UnkId { get; }
    public string IdToToken(int id) => _idToToken[id];
    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;
    public int SpecialTokenCount(bool pair) => pair ? 4 : 2;

    public TokenEncoding AddSpecialTokens(Pieces a, Pieces? b) => RobertaTemplate.Wrap(a, b, ClsId, Config.Bos, SepId, Config.Eos);

    public Pieces Tokenize(string text)
    {
        var result = new Pieces();
        foreach (var (start, end, token) in AddedTokenSplitter.Split(text, _added))
        {
            if (token is not null) { result.Add(token.Id, token.Content, start, end); continue; }
            string segment = text[start..end];
            if (Config.AddPrefixSpace && !segment.StartsWith(' ')) segment = " " + segment;
            int shift = start - (segment.Length - (end - start));
            foreach (var (ws, we) in PreTokenize(segment)) Bpe(segment, ws, we, shift, result);
        }
        return result;
    }

    /// <summary>GPT-2's pattern <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>,
    /// scanned by hand over Unicode scalars so letters outside the BMP classify as letters.</summary>
    static IEnumerable<(int Start, int End)> PreTokenize(string s)
    {
        int i = 0;
        while (i < s.Length)
        {
            int end = Contraction(s, i);
            if (end < 0)
            {
                int j = s[i] == ' ' && i + 1 < s.Length ? i + 1 : i;
                var kind = Kind(s, j);
                if (kind != 'w') end = RunOf(s, j, kind);
                else
                {
                    int runEnd = RunOf(s, i, 'w');
                    end = runEnd == s.Length || runEnd - i == 1 ? runEnd : PrevBoundary(s, runEnd);
                }
            }
            yield return (i, end);
            i = end;
        }
    }

    static int Contraction(string s, int i)
    {
        if (s[i] != '\'') return -1;
        foreach (var c in new[] { "s", "t", "re", "ve", "m", "ll", "d" })
            if (string.CompareOrdinal(s, i + 1, c, 0, c.Length) == 0) return i + 1 + c.Length;
        return -1;
    }

    /// <summary>'l' letter, 'n' number, 'w' whitespace, 'o' anything else.</summary>
    static char Kind(string s, int i)
    {
        var r = Rune.GetRuneAt(s, i);
        return Rune.IsLetter(r) ? 'l' : Rune.IsNumber(r) ? 'n' : Rune.IsWhiteSpace(r) ? 'w' : 'o';
    }

    static int RunOf(string s, int i, char kind)
    {
        while (i < s.Length && Kind(s, i) == kind) i += Rune.GetRuneAt(s, i).Utf16SequenceLength;
        return i;
    }

    static int PrevBoundary(string s, int i) => char.IsLowSurrogate(s[i - 1]) ? i - 2 : i - 1;

    void Bpe(string s, int ws, int we, int shift, Pieces output)
    {
        var bytes = new List<byte>();
        var byteToChar = new List<int>();   // source UTF-16 index of each byte
        Span<byte> buf = stackalloc byte[4];
        for (int i = ws; i < we;)
        {
            var r = Rune.GetRuneAt(s, i);
            int n = r.EncodeToUtf8(buf);
            for (int k = 0; k < n; k++) { bytes.Add(buf[k]); byteToChar.Add(i); }
            i += r.Utf16SequenceLength;
        }
        string word = new(bytes.Select(b => ByteToChar[b]).ToArray());
        if (!_cache.TryGetValue(word, out var symbols))
        {
            symbols = Merge(word);
            // ConcurrentDictionary.Count takes every lock; a counter does not
            if (Volatile.Read(ref _cached) < CacheLimit && _cache.TryAdd(word, symbols)) Interlocked.Increment(ref _cached);
        }
        int pos = 0;
        foreach (var sym in symbols)
        {
            int start = byteToChar[pos], lastByte = pos + sym.Length - 1;
            int end = byteToChar[lastByte] + Rune.GetRuneAt(s, byteToChar[lastByte]).Utf16SequenceLength;
            if (sym.Length > 1 && sym[0] == ByteToChar[' ']) start++;   // RoBERTa trims the space from offsets
            output.Add(_vocab.TryGetValue(sym, out var id) ? id : UnkId, sym, start + shift, end + shift);
            pos += sym.Length;
        }
    }

    List<string> Merge(string word)
    {
        var sym = word.Select(c => c.ToString()).ToList();
        while (sym.Count > 1)
        {
            int best = int.MaxValue, at = -1;
            for (int i = 0; i < sym.Count - 1; i++)
                if (_ranks.TryGetValue((sym[i], sym[i + 1]), out var r) && r < best) { best = r; at = i; }
            if (at < 0) break;
            var (left, right) = _merges[best];
            var merged = new List<string>(sym.Count);
            for (int i = 0; i < sym.Count; i++)
            {
                if (i < sym.Count - 1 && sym[i] == left && sym[i + 1] == right) { merged.Add(left + right); i++; }
                else merged.Add(sym[i]);
            }
            sym = merged;
        }
        return sym;
    }

    /// <summary>GPT-2's reversible map from bytes to printable characters (space → 'Ġ').</summary>
    static char[] BuildByteMap()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
            map[b] = b is >= 33 and <= 126 or >= 161 and <= 172 or >= 174 and <= 255 ? (char)b : (char)next++;
        return map;
    }

    public void Save(string directory)
    {
        var vocab = new JsonObject();
        foreach (var (t, id) in _vocab.OrderBy(kv => kv.Value)) vocab[t] = id;
        AtomicFile.WriteAllText(Path.Combine(directory, "vocab.json"), vocab.ToJsonString());
        AtomicFile.WriteAllText(Path.Combine(directory, "merges.txt"),
            "#version: 0.2\n" + string.Join("\n", _merges.Select(m => $"{m.Item1} {m.Item2}")) + "\n");
        var config = new JsonObject
        {
            ["tokenizer_class"] = "RobertaTokenizer", ["add_prefix_space"] = Config.AddPrefixSpace,
            ["bos_token"] = Config.Bos, ["eos_token"] = Config.Eos, ["cls_token"] = Config.Bos, ["sep_token"] = Config.Eos,
            ["pad_token"] = Config.Pad, ["unk_token"] = Config.Unk, ["mask_token"] = Config.Mask,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"),
            config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;

namespace PhaseTune.Text;

/// <summary>XLM-RoBERTa's tokenizer: a SentencePiece Unigram model. Text is normalized as sentencepiece does
/// (<see cref="SentencePieceNormalizer"/>), split by Viterbi into the pieces of highest total score, a run of
/// characters no piece covers becomes one &lt;unk&gt;, and `&lt;s&gt; A &lt;/s&gt;` / `&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;` wrap the ids.
/// Ids are those of HF's vocabulary: sentencepiece's ids + 1 with the fairseq specials &lt;s&gt;, &lt;pad&gt;, &lt;/s&gt;,
/// &lt;unk&gt; first and &lt;mask&gt; last. Where HF's fast tokenizer and sentencepiece disagree (trailing spaces,
/// exact score ties), this follows sentencepiece, which the model was trained with.</summary>
public sealed class UnigramTokenizer : ITokenizer
{
    public sealed record Options(string Bos = "<s>", string Eos = "</s>", string Pad = "<pad>", string Unk = "<unk>",
        string Mask = "<mask>");

    /// <summary>Reserved pieces (specials, unused, bytes) are never chosen by the segmentation.</summary>
    public enum PieceKind { Normal, UserDefined, Reserved }

    public sealed record Entry(string Piece, float Score, PieceKind Kind = PieceKind.Normal);

    const float UnkPenalty = 10f;
    const float FltMin = 1.17549435E-38f;   // sentencepiece starts its maximum score at C's FLT_MIN
    readonly Entry[] _vocab;
    readonly Dictionary<string, int> _ids;
    readonly PieceTrie _trie;
    readonly float _unkScore, _maxScore;
    readonly List<AddedToken> _added;

    public Options Config { get; }
    public SentencePieceNormalizer Normalizer { get; }
    public IReadOnlyList<Entry> Vocab => _vocab;
    public IReadOnlyList<AddedToken> AddedTokens => _added;

    public UnigramTokenizer(IReadOnlyList<Entry> vocab, int unkId, SentencePieceNormalizer normalizer, Options options,
        IEnumerable<AddedToken>? added = null)
    {
        Config = options;
        Normalizer = normalizer;
        _vocab = vocab.ToArray();
        if (_vocab.Length == 0) throw new InvalidDataException("empty vocabulary");
        if (unkId < 0 || unkId >= _vocab.Length) throw new InvalidDataException($"unk_id {unkId} is outside the vocabulary (0..{_vocab.Length - 1})");
        _ids = new Dictionary<string, int>(_vocab.Length, StringComparer.Ordinal);
        for (int i = 0; i < _vocab.Length; i++)
        {
            if (string.IsNullOrEmpty(_vocab[i].Piece)) throw new InvalidDataException($"piece {i} is empty");
            if (!float.IsFinite(_vocab[i].Score)) throw new InvalidDataException($"piece {i} ('{_vocab[i].Piece}') has score {_vocab[i].Score}");
            _ids.TryAdd(_vocab[i].Piece, i);
        }
        UnkId = unkId;
        int Require(string token) => _ids.TryGetValue(token, out var id) ? id
            : throw new InvalidDataException($"special token '{token}' is not in the vocabulary");
        ClsId = Require(options.Bos); SepId = Require(options.Eos); PadId = Require(options.Pad); MaskId = Require(options.Mask);
        if (Require(options.Unk) != unkId) throw new InvalidDataException($"unk token '{options.Unk}' is not piece {unkId}, the model's unk_id");
        _added = added?.ToList() ?? new List<AddedToken>
        {
            new(options.Bos, ClsId), new(options.Pad, PadId), new(options.Eos, SepId), new(options.Unk, UnkId),
            new(options.Mask, MaskId, LStrip: true),
        };
        AddedToken.CheckIds(_added, _vocab.Length);
        // added tokens are matched in the raw text before normalization, never by the segmentation (sentencepiece's
        // control symbols); the scores that count are the normal pieces', as in sentencepiece
        var reserved = _added.Select(t => t.Id).Append(unkId).ToHashSet();
        var lattice = Enumerable.Range(0, _vocab.Length)
            .Where(i => _vocab[i].Kind != PieceKind.Reserved && !reserved.Contains(i) && _ids[_vocab[i].Piece] == i).ToList();
        var normal = lattice.Where(i => _vocab[i].Kind == PieceKind.Normal).Select(i => _vocab[i].Score).ToList();
        if (normal.Count == 0) throw new InvalidDataException("no normal pieces to segment with");
        float min = normal.Min(), max = Math.Max(FltMin, normal.Max());
        _trie = new PieceTrie(lattice.Select(i => (_vocab[i].Piece, i)));
        _unkScore = min - UnkPenalty;
        _maxScore = max;
    }

    /// <summary>Reads XLM-R's sentencepiece.bpe.model and lays its ids out as XLM-R's tokenizer does: &lt;s&gt;=0,
    /// &lt;pad&gt;=1, &lt;/s&gt;=2, &lt;unk&gt;=3, sentencepiece's piece i (from 3 on) at i + 1, &lt;mask&gt; last.</summary>
    public static UnigramTokenizer FromSentencePieceModel(string path, Options? options = null)
    {
        var m = SentencePieceModel.Read(path);
        string Unsupported(string what) => $"{path}: {what} is not supported (XLM-R's sentencepiece Unigram model expected)";
        if (m.ModelType != SentencePieceModel.Unigram) throw new NotSupportedException(Unsupported($"sentencepiece model type {m.ModelType}"));
        if (m.ByteFallback) throw new NotSupportedException(Unsupported("byte_fallback"));
        if (m.TreatWhitespaceAsSuffix) throw new NotSupportedException(Unsupported("treat_whitespace_as_suffix"));
        if (!m.EscapeWhitespaces) throw new NotSupportedException(Unsupported("escape_whitespaces = false"));
        if (m.UnkId != 0 || m.Pieces.Count < 4 || m.Pieces[0].Type != SentencePieceModel.PieceType.Unknown
            || m.Pieces[1].Type != SentencePieceModel.PieceType.Control || m.Pieces[2].Type != SentencePieceModel.PieceType.Control)
            throw new NotSupportedException(Unsupported("a piece layout other than <unk>, <s>, </s> first"));
        var o = options ?? new Options();
        var vocab = new List<Entry>(m.Pieces.Count + 2)
        {
            new(o.Bos, 0, PieceKind.Reserved), new(o.Pad, 0, PieceKind.Reserved), new(o.Eos, 0, PieceKind.Reserved),
            new(o.Unk, 0, PieceKind.Reserved),
        };
        foreach (var p in m.Pieces.Skip(3))
            vocab.Add(new Entry(p.Text, p.Score, p.Type switch
            {
                SentencePieceModel.PieceType.Normal => PieceKind.Normal,
                SentencePieceModel.PieceType.UserDefined => PieceKind.UserDefined,
                _ => PieceKind.Reserved,
            }));
        vocab.Add(new Entry(o.Mask, 0, PieceKind.Reserved));
        try
        {
            var charsMap = m.CharsMap.Length == 0 ? null : PrecompiledCharsMap.Parse(m.CharsMap);
            return new UnigramTokenizer(vocab, 3, new SentencePieceNormalizer(charsMap, m.AddDummyPrefix, m.RemoveExtraWhitespaces), o);
        }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}"); }
    }

    public int VocabSize => _vocab.Length;
    public int PadId { get; }
    public int ClsId { get; }
    public int SepId { get; }
    public int MaskId { get; }
    public int UnkId { get; }
    public string IdToToken(int id) => _vocab[id].Piece;
    public int? TokenToId(string token) => _ids.TryGetValue(token, out var id) ? id : null;
    public int SpecialTokenCount(bool pair) => pair ? 4 : 2;

    public TokenEncoding AddSpecialTokens(Pieces a, Pieces? b) => RobertaTemplate.Wrap(a, b, ClsId, Config.Bos, SepId, Config.Eos);

    public Pieces Tokenize(string text)
    {
        var result = new Pieces();
        foreach (var (start, end, token) in AddedTokenSplitter.Split(text, _added))
        {
            if (token is not null) { result.Add(token.Id, token.Content, start, end); continue; }
            string normalized = Normalizer.Normalize(text[start..end], out var toOriginal);
            bool prevUnk = false;
            foreach (var (from, to, id) in Segment(normalized))
            {
                // sentencepiece merges a run of unknown pieces into one
                if (prevUnk && id == UnkId)
                {
                    int last = result.Count - 1;
                    result.Tokens[last] += normalized[from..to];
                    result.Offsets[last] = (result.Offsets[last].Start, start + toOriginal[to]);
                    continue;
                }
                result.Add(id, normalized[from..to], start + toOriginal[from], start + toOriginal[to]);
                prevUnk = id == UnkId;
            }
        }
        return result;
    }

    /// <summary>sentencepiece's Viterbi (its optimized encoder): the best path ending at each position, candidates
    /// visited by start and then length, a later one winning only with a strictly higher score; sums in double of
    /// float scores, stored as float, exactly as its C++ does, so that ties break the same way.</summary>
    List<(int From, int To, int Id)> Segment(string s)
    {
        int n = s.Length;
        var best = new float[n + 1];
        var startsAt = new int[n + 1];
        var ids = new int[n + 1];
        Array.Fill(startsAt, -1);
        for (int start = 0; start < n;)
        {
            float tillHere = best[start];
            int charLength = char.IsHighSurrogate(s[start]) && start + 1 < n && char.IsLowSurrogate(s[start + 1]) ? 2 : 1;
            bool hasSingle = false;
            for (int end = start + 1, node = _trie.Step(PieceTrie.Root, s[start]); node >= 0; node = end < n ? _trie.Step(node, s[end++]) : -1)
            {
                int id = _trie.PieceAt(node), length = end - start;
                if (id < 0 || end < n && char.IsLowSurrogate(s[end]) && char.IsHighSurrogate(s[end - 1])) continue;
                double score = _vocab[id].Kind == PieceKind.UserDefined
                    ? Encoding.UTF8.GetByteCount(_vocab[id].Piece) * _maxScore - 0.1
                    : _vocab[id].Score;
                double candidate = score + tillHere;
                if (startsAt[end] == -1 || candidate > best[end]) { best[end] = (float)candidate; startsAt[end] = start; ids[end] = id; }
                if (length == charLength) hasSingle = true;
            }
            if (!hasSingle)
            {
                int end = start + charLength;
                float candidate = _unkScore + tillHere;
                if (startsAt[end] == -1 || candidate > best[end]) { best[end] = candidate; startsAt[end] = start; ids[end] = UnkId; }
            }
            start += charLength;
        }
        var path = new List<(int, int, int)>();
        for (int end = n; end > 0; end = startsAt[end]) path.Add((startsAt[end], end, ids[end]));
        path.Reverse();
        return path;
    }

    /// <summary>Writes tokenizer.json (HF's Unigram layout, as the XLM-R converter makes it) and tokenizer_config.json.</summary>
    public void Save(string directory)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer.json"), UnigramTokenizerJson.Write(this).ToJsonString());
        var config = new JsonObject
        {
            ["tokenizer_class"] = "XLMRobertaTokenizer",
            ["bos_token"] = Config.Bos, ["eos_token"] = Config.Eos, ["cls_token"] = Config.Bos, ["sep_token"] = Config.Eos,
            ["pad_token"] = Config.Pad, ["unk_token"] = Config.Unk, ["mask_token"] = Config.Mask,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"),
            config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}

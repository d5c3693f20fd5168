using System.Text.Json.Nodes;

namespace PhaseTune.Text;

/// <summary>HF tokenizer.json with a "Unigram" model, in the shape transformers' XLM-R converter writes: normalizer
/// Precompiled (+ Replace(" {2,}", " ")), pre-tokenizer Metaspace("▁"), TemplateProcessing `X $A Y` / `X $A Y Y $B Y`.
/// Other components would change the ids, so they are refused by name. Whitespace follows sentencepiece's default
/// (remove_extra_whitespaces), which the file cannot say: the converter writes the Replace step for every model, and
/// older converters wrote none.</summary>
internal static class UnigramTokenizerJson
{
    public static UnigramTokenizer Read(JsonObject root, JsonObject model, List<AddedToken> added, Func<string?, string?, UnigramTokenizer.Options> options)
    {
        if (model["byte_fallback"] is JsonValue bf && bf.TryGetValue<bool>(out var fallback) && fallback)
            throw new NotSupportedException("the Unigram model's byte_fallback is not supported");
        var vocab = (model["vocab"] as JsonArray ?? throw new InvalidDataException("the Unigram model has no vocab array"))
            .Select((e, i) => e is JsonArray { Count: 2 } pair && pair[0] is JsonValue p && p.TryGetValue<string>(out var piece)
                              && pair[1] is JsonValue s && s.TryGetValue<double>(out var score)
                ? new UnigramTokenizer.Entry(piece, (float)score)
                : throw new InvalidDataException($"vocab entry {i} is not a [piece, score] pair"))
            .ToList();
        int unkId = model["unk_id"] is JsonValue u && u.TryGetValue<int>(out var id) ? id
            : throw new InvalidDataException("the Unigram model's unk_id is not an integer");
        var (bos, eos) = Template(root["post_processor"]);
        var normalizer = Normalizer(root["normalizer"], root["pre_tokenizer"]);
        string unk = unkId >= 0 && unkId < vocab.Count ? vocab[unkId].Piece : throw new InvalidDataException($"unk_id {unkId} is outside the vocabulary (0..{vocab.Count - 1})");
        var o = options(bos, eos) with { Unk = unk };
        return new UnigramTokenizer(vocab, unkId, normalizer, o, added.Count > 0 ? added : null);
    }

    static SentencePieceNormalizer Normalizer(JsonNode? normalizer, JsonNode? preTokenizer)
    {
        PrecompiledCharsMap? charsMap = null;
        var steps = normalizer switch
        {
            null => [],
            JsonObject o when Type(o) == "Sequence" => (o["normalizers"] as JsonArray ?? throw new InvalidDataException("normalizer Sequence has no normalizers")).ToList(),
            JsonObject o => [o],
            _ => throw new InvalidDataException("normalizer is not an object"),
        };
        foreach (var step in steps)
        {
            var o = step as JsonObject ?? throw new InvalidDataException("a normalizer is not an object");
            switch (Type(o))
            {
                case "Precompiled" when charsMap is null:
                    string b64 = o["precompiled_charsmap"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
                    byte[] blob;
                    try { blob = Convert.FromBase64String(b64); }
                    catch (FormatException) { throw new InvalidDataException("precompiled_charsmap is not base64"); }
                    if (blob.Length > 0) charsMap = PrecompiledCharsMap.Parse(blob);
                    break;
                case "Replace" when IsSpaceCollapse(o):
                    break;
                default:
                    throw new NotSupportedException($"normalizer {Describe(o)} is not supported with a Unigram model (Precompiled, Replace(\" {{2,}}\", \" \"))");
            }
        }
        var pre = preTokenizer as JsonObject;
        if (pre is null || Type(pre) != "Metaspace" || Str(pre, "replacement") != SentencePieceNormalizer.SpaceSymbol.ToString()
            || (pre["split"] is JsonValue sp && sp.TryGetValue<bool>(out var split) && !split))
            throw new NotSupportedException($"pre-tokenizer {pre?.ToJsonString() ?? "null"} is not supported with a Unigram model (Metaspace with \"▁\")");
        bool prefix = Str(pre, "prepend_scheme") switch
        {
            "always" => true,
            "never" => false,
            null => pre["add_prefix_space"] is not JsonValue a || !a.TryGetValue<bool>(out var add) || add,
            var other => throw new NotSupportedException($"Metaspace prepend_scheme '{other}' is not supported (always, never)"),
        };
        return new SentencePieceNormalizer(charsMap, prefix);
    }

    /// <summary>The special tokens around `$A` in a template `X $A Y` / `X $A Y Y $B Y` (RoBERTa's layout).</summary>
    static (string? Bos, string? Eos) Template(JsonNode? post)
    {
        if (post is null) return (null, null);
        if (post is not JsonObject o || Type(o) != "TemplateProcessing" || o["single"] is not JsonArray single || o["pair"] is not JsonArray pair)
            throw new NotSupportedException($"post-processor {Describe(post)} is not supported with a Unigram model (TemplateProcessing `<s> $A </s>`)");
        static string Item(JsonNode? n) => n?["SpecialToken"]?["id"]?.GetValue<string>() is string t ? "T:" + t
            : n?["Sequence"]?["id"]?.GetValue<string>() is string s ? "$" + s : "?";
        var a = single.Select(Item).ToArray();
        var b = pair.Select(Item).ToArray();
        if (a.Length != 3 || !a[0].StartsWith("T:") || a[1] != "$A" || !a[2].StartsWith("T:")
            || !b.SequenceEqual([a[0], "$A", a[2], a[2], "$B", a[2]])
            || single.Concat(pair).Any(n => (n?["SpecialToken"] ?? n?["Sequence"])?["type_id"]?.GetValue<int>() is int t && t != 0))
            throw new NotSupportedException($"post-processor {Describe(post)} is not supported with a Unigram model (only `X $A Y` / `X $A Y Y $B Y`, type ids 0)");
        return (a[0][2..], a[2][2..]);
    }

    static string? Type(JsonObject o) => Str(o, "type");
    static bool IsSpaceCollapse(JsonObject replace) =>
        replace["pattern"] is JsonObject p && Str(p, "Regex") == " {2,}" && Str(replace, "content") == " ";
    static string Describe(JsonNode n) => n.ToJsonString() is var j && j.Length > 200 ? j[..200] + "..." : j;
    static string? Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static JsonObject Write(UnigramTokenizer tok)
    {
        var c = tok.Config;
        var added = new JsonArray();
        foreach (var t in tok.AddedTokens)
            added.Add(new JsonObject
            {
                ["id"] = t.Id, ["content"] = t.Content, ["single_word"] = false, ["lstrip"] = t.LStrip, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = true,
            });
        var normalizers = new JsonArray();
        if (tok.Normalizer.CharsMap is PrecompiledCharsMap map)
            normalizers.Add(new JsonObject { ["type"] = "Precompiled", ["precompiled_charsmap"] = Convert.ToBase64String(map.Blob) });
        if (tok.Normalizer.RemoveExtraWhitespaces)
            normalizers.Add(new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["Regex"] = " {2,}" }, ["content"] = " " });
        JsonObject Metaspace() => new()
        {
            ["type"] = "Metaspace", ["replacement"] = SentencePieceNormalizer.SpaceSymbol.ToString(),
            ["prepend_scheme"] = tok.Normalizer.AddDummyPrefix ? "always" : "never", ["split"] = true,
        };
        JsonObject Special(string t) => new() { ["SpecialToken"] = new JsonObject { ["id"] = t, ["type_id"] = 0 } };
        JsonObject Sequence(string s) => new() { ["Sequence"] = new JsonObject { ["id"] = s, ["type_id"] = 0 } };
        JsonObject Ids(string t, int id) => new() { ["id"] = t, ["ids"] = new JsonArray(id), ["tokens"] = new JsonArray(t) };
        var vocab = new JsonArray();
        foreach (var e in tok.Vocab) vocab.Add(new JsonArray(e.Piece, (double)e.Score));
        return new JsonObject
        {
            ["version"] = "1.0", ["truncation"] = null, ["padding"] = null, ["added_tokens"] = added,
            ["normalizer"] = new JsonObject { ["type"] = "Sequence", ["normalizers"] = normalizers },
            ["pre_tokenizer"] = Metaspace(),
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special(c.Bos), Sequence("A"), Special(c.Eos)),
                ["pair"] = new JsonArray(Special(c.Bos), Sequence("A"), Special(c.Eos), Special(c.Eos), Sequence("B"), Special(c.Eos)),
                ["special_tokens"] = new JsonObject { [c.Bos] = Ids(c.Bos, tok.ClsId), [c.Eos] = Ids(c.Eos, tok.SepId) },
            },
            ["decoder"] = Metaspace(),
            ["model"] = new JsonObject { ["type"] = "Unigram", ["unk_id"] = tok.UnkId, ["vocab"] = vocab, ["byte_fallback"] = false },
        };
    }
}

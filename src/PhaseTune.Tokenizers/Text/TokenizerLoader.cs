using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;

namespace PhaseTune.Text;

/// <summary>Finds and reads a HF tokenizer in a model directory: tokenizer.json first, else vocab.txt
/// (WordPiece), vocab.json + merges.txt (byte-level BPE) or XLM-R's sentencepiece.bpe.model (Unigram),
/// honouring tokenizer_config.json.</summary>
public static class TokenizerLoader
{
    public static ITokenizer Load(string directory) => Load(new SandboxedFolder(directory));

    /// <summary>Reads only files that resolve inside <paramref name="folder"/>.</summary>
    public static ITokenizer Load(SandboxedFolder folder)
    {
        string directory = folder.Path;
        var config = ReadJson(folder.File("tokenizer_config.json"));
        string tokJson = folder.File("tokenizer.json");
        if (File.Exists(tokJson)) return FromTokenizerJson(tokJson, config);
        string vocabTxt = folder.File("vocab.txt");
        if (File.Exists(vocabTxt)) return WordPieceTokenizer.FromVocabFile(vocabTxt, WordPieceOptions(config, null));
        string vocabJson = folder.File("vocab.json"), merges = folder.File("merges.txt");
        if (File.Exists(vocabJson) && File.Exists(merges))
            return ByteLevelBpeTokenizer.FromFiles(vocabJson, merges, BpeOptions(config));
        string spm = folder.File("sentencepiece.bpe.model");
        if (File.Exists(spm)) return UnigramTokenizer.FromSentencePieceModel(spm, UnigramOptions(config, null, null));
        throw new FileNotFoundException($"{directory}: no tokenizer found (expected tokenizer.json, vocab.txt, vocab.json + merges.txt, or sentencepiece.bpe.model)");
    }

    static JsonObject? ReadJson(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonNode.Parse(File.ReadAllText(path), null, StrictJson.Document) as JsonObject; }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message})"); }
    }

    static string? Str(JsonObject? o, string key) => o?[key] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject t => t["content"] is JsonValue c && c.TryGetValue<string>(out var content) ? content : null,   // AddedToken serialised as an object
        _ => null,
    };

    static bool? Bool(JsonObject? o, string key) =>
        o?[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    static WordPieceTokenizer.Options WordPieceOptions(JsonObject? config, JsonObject? normalizer)
    {
        var d = new WordPieceTokenizer.Options();
        return d with
        {
            Lowercase = Bool(normalizer, "lowercase") ?? Bool(config, "do_lower_case") ?? d.Lowercase,
            StripAccents = Bool(normalizer, "strip_accents") ?? Bool(config, "strip_accents"),
            HandleChineseChars = Bool(normalizer, "handle_chinese_chars") ?? Bool(config, "tokenize_chinese_chars") ?? true,
            CleanText = Bool(normalizer, "clean_text") ?? true,
            UnkToken = Str(config, "unk_token") ?? d.UnkToken, ClsToken = Str(config, "cls_token") ?? d.ClsToken,
            SepToken = Str(config, "sep_token") ?? d.SepToken, PadToken = Str(config, "pad_token") ?? d.PadToken,
            MaskToken = Str(config, "mask_token") ?? d.MaskToken,
        };
    }

    static ByteLevelBpeTokenizer.Options BpeOptions(JsonObject? config)
    {
        var d = new ByteLevelBpeTokenizer.Options();
        return d with
        {
            Bos = Str(config, "bos_token") ?? d.Bos, Eos = Str(config, "eos_token") ?? d.Eos,
            Pad = Str(config, "pad_token") ?? d.Pad, Unk = Str(config, "unk_token") ?? d.Unk,
            Mask = Str(config, "mask_token") ?? d.Mask, AddPrefixSpace = Bool(config, "add_prefix_space") ?? false,
        };
    }

    static UnigramTokenizer.Options UnigramOptions(JsonObject? config, string? bos, string? eos)
    {
        var d = new UnigramTokenizer.Options();
        return d with
        {
            Bos = bos ?? Str(config, "bos_token") ?? d.Bos, Eos = eos ?? Str(config, "eos_token") ?? d.Eos,
            Pad = Str(config, "pad_token") ?? d.Pad, Unk = Str(config, "unk_token") ?? d.Unk, Mask = Str(config, "mask_token") ?? d.Mask,
        };
    }

    static ITokenizer FromTokenizerJson(string path, JsonObject? config)
    {
        try { return ReadTokenizerJson(path, config); }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path)) { throw new InvalidDataException($"{path}: {e.Message}"); }
        catch (NotSupportedException e) when (!e.Message.StartsWith(path)) { throw new NotSupportedException($"{path}: {e.Message}"); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        { throw new InvalidDataException($"{path}: unexpected value ({e.Message})"); }
    }

    static ITokenizer ReadTokenizerJson(string path, JsonObject? config)
    {
        var root = ReadJson(path) ?? throw new InvalidDataException($"{path}: not a JSON object");
        var model = root["model"] as JsonObject ?? throw new InvalidDataException($"{path}: no \"model\" section");
        int Int(JsonNode? n, string what) => n is JsonValue v && v.TryGetValue<int>(out var i) ? i
            : throw new InvalidDataException($"{path}: {what} is not an integer");
        string Text(JsonNode? n, string what) => n is JsonValue v && v.TryGetValue<string>(out var t) ? t
            : throw new InvalidDataException($"{path}: {what} is not a string");
        var added = (root["added_tokens"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
            .Select(t => new AddedToken(Text(t["content"], "an added token's content"), Int(t["id"], "an added token's id"), Bool(t, "lstrip") ?? false))
            .ToList();
        // older tokenizer.json files leave out model.type
        string? type = Str(model, "type") ?? (model["merges"] is not null ? "BPE"
            : model["continuing_subword_prefix"] is not null ? "WordPiece" : model["vocab"] is JsonArray ? "Unigram" : null);
        if (type == "Unigram") return UnigramTokenizerJson.Read(root, model, added, (bos, eos) => UnigramOptions(config, bos, eos));
        var vocab = model["vocab"] as JsonObject ?? throw new InvalidDataException($"{path}: model has no vocab object");
        var ids = vocab.Select(kv => (Token: kv.Key, Id: Int(kv.Value, $"the id of '{kv.Key}'"))).ToList();
        switch (type)
        {
            case "WordPiece":
                // ids are 0..n-1, each once: the table is sized by the entries, never by a number in the file
                var byId = new string[ids.Count];
                foreach (var (t, id) in ids)
                {
                    if (id < 0 || id >= byId.Length) throw new InvalidDataException($"{path}: token '{t}' has id {id}, outside 0..{byId.Length - 1}");
                    if (byId[id] is string other) throw new InvalidDataException($"{path}: tokens '{other}' and '{t}' share id {id}");
                    byId[id] = t;
                }
                var options = WordPieceOptions(config, root["normalizer"] as JsonObject) with
                {
                    UnkToken = Str(model, "unk_token") ?? "[UNK]",
                    Prefix = Str(model, "continuing_subword_prefix") ?? "##",
                    MaxInputCharsPerWord = model["max_input_chars_per_word"] is JsonNode m ? Int(m, "max_input_chars_per_word") : 100,
                };
                return new WordPieceTokenizer(byId, options, added.Count > 0 ? added : null);
            case "BPE":
                var merges = (model["merges"] as JsonArray ?? throw new InvalidDataException($"{path}: BPE model has no merges"))
                    .Select(m => m is JsonArray pair && pair.Count == 2
                        ? (Text(pair[0], "a merge"), Text(pair[1], "a merge"))
                        : Split2(Text(m, "a merge"), path)).ToList();
                return new ByteLevelBpeTokenizer(ids.ToDictionary(x => x.Token, x => x.Id), merges, BpeOptions(config), added.Count > 0 ? added : null);
            default:
                throw new NotSupportedException($"{path}: tokenizer model type '{type ?? "(none)"}' is not supported (WordPiece, BPE, Unigram)");
        }
    }

    static (string, string) Split2(string merge, string path)
    {
        int sp = merge.IndexOf(' ');
        if (sp <= 0) throw new InvalidDataException($"{path}: bad merge '{merge}'");
        return (merge[..sp], merge[(sp + 1)..]);
    }
}

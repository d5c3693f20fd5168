using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;

namespace PhaseTune.Hub;

/// <summary>Which of a repository's files a model needs: config.json; the weights (model.safetensors, else its
/// index and the shards the index names, else pytorch_model.bin the same way; never ONNX, Flax or TF copies);
/// the tokenizer files; for sentence-transformers modules.json, its configs and each module folder's config.json,
/// the Transformer module's folder by the same rules as the root; and a PhaseTune classifier's head and labels. Paths are the Hub's (`/`-separated).</summary>
public static class HubFileSelection
{
    public static readonly string[] TokenizerFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.txt", "vocab.json", "merges.txt",
         "sentencepiece.bpe.model", "spiece.model"];

    static readonly string[] SentenceTransformersFiles = ["modules.json", "config_sentence_transformers.json", "sentence_bert_config.json"];

    /// <summary>What a saved PhaseTune classifier adds to an encoder (`eval` and `predict` read them).</summary>
    static readonly string[] ClassifierFiles = ["labels.json", "head.safetensors", "training_config.json"];

    /// <summary>The files to fetch, in the order they are needed (the JSON files that decide the rest come first).</summary>
    /// <param name="listed">every file the repository has at the revision</param>
    /// <param name="read">the text of a listed file (downloading it first, for a remote repository)</param>
    public static IReadOnlyList<string> Select(IReadOnlySet<string> listed, Func<string, string> read)
    {
        var files = new List<string>();
        void Add(string f) { if (listed.Contains(f) && !files.Contains(f)) files.Add(f); }
        foreach (var f in SentenceTransformersFiles.Concat(ClassifierFiles)) Add(f);
        var (transformer, configured) = Modules(listed.Contains, read);
        foreach (var folder in configured) Add(Join(folder, "config.json"));
        Add(Join(transformer, "config.json"));
        Add(Join(transformer, "sentence_bert_config.json"));
        foreach (var f in TokenizerFiles) Add(Join(transformer, f));
        foreach (var f in Weights(transformer, listed.Contains, read) ?? []) Add(f);
        return files;
    }

    /// <summary>What a snapshot already on disk lacks to load (null when nothing): the transformer's config.json and
    /// whole weights, a tokenizer, and each Pooling module's config.</summary>
    /// <param name="has">whether the snapshot has a file (a link to a whole blob)</param>
    public static string? Missing(Func<string, bool> has, Func<string, string> read)
    {
        var (transformer, configured) = Modules(has, read);
        foreach (var f in configured.Select(c => Join(c, "config.json")).Append(Join(transformer, "config.json")))
            if (!has(f)) return f;
        if (Weights(transformer, has, read) is null) return Join(transformer, "model.safetensors");
        bool tokenizer = has(Join(transformer, "tokenizer.json")) || has(Join(transformer, "vocab.txt"))
            || has(Join(transformer, "vocab.json")) && has(Join(transformer, "merges.txt"));
        return tokenizer ? null : Join(transformer, "tokenizer.json");
    }

    /// <summary>The Transformer module's folder ("" for the root) and the module folders with a config PhaseTune
    /// reads (Pooling, and any other module but Normalize, which has none).</summary>
    static (string Transformer, List<string> Configured) Modules(Func<string, bool> has, Func<string, string> read)
    {
        var configured = new List<string>();
        string? transformer = null;
        if (has("modules.json"))
        {
            JsonArray modules;
            try { modules = JsonNode.Parse(read("modules.json"), null, StrictJson.Document) as JsonArray ?? throw new JsonException("not an array"); }
            catch (JsonException e) { throw new InvalidDataException($"modules.json: invalid JSON ({e.Message})"); }
            foreach (var m in modules.OfType<JsonObject>())
            {
                string type = Text(m, "type"), path = Text(m, "path").TrimEnd('/');
                if (path.Length > 0) HubCache.CheckRepoPath(path);
                if (type.EndsWith(".Transformer", StringComparison.Ordinal)) transformer ??= path;
                else if (!type.EndsWith(".Normalize", StringComparison.Ordinal) && path.Length > 0) configured.Add(path);
            }
        }
        // older sentence-transformers saves: only a 0_Transformer folder, no root config
        transformer ??= !has("config.json") && has("0_Transformer/config.json") ? "0_Transformer" : "";
        return (transformer, configured);

        static string Text(JsonObject m, string key) => m[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
    }

    /// <summary>The weight files of a folder in order of preference, or null when it has no whole set.</summary>
    static IReadOnlyList<string>? Weights(string folder, Func<string, bool> has, Func<string, string> read)
    {
        foreach (var (single, index) in new[] { ("model.safetensors", "model.safetensors.index.json"), ("pytorch_model.bin", "pytorch_model.bin.index.json") })
        {
            if (has(Join(folder, single))) return [Join(folder, single)];
            string indexPath = Join(folder, index);
            if (!has(indexPath)) continue;
            var shards = Shards(indexPath, read(indexPath)).Select(s => Join(folder, s)).ToList();
            var absent = shards.FirstOrDefault(s => !has(s));
            return absent is null ? [indexPath, .. shards] : null;
        }
        return null;
    }

    /// <summary>The distinct shard files an index's weight_map names, each a plain file beside the index.</summary>
    public static IReadOnlyList<string> Shards(string indexPath, string json)
    {
        JsonObject map;
        try { map = (JsonNode.Parse(json, null, StrictJson.Document) as JsonObject)?["weight_map"] as JsonObject ?? throw new JsonException("no \"weight_map\" object"); }
        catch (JsonException e) { throw new InvalidDataException($"{indexPath}: invalid index ({e.Message})"); }
        var shards = new List<string>();
        foreach (var (key, value) in map)
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out var shard) || shard.Contains('/') || shard.Contains('\\') || shard is "" or "." or "..")
                throw new InvalidDataException($"{indexPath}: weight_map[\"{key}\"] is not a file name beside the index");
            if (!shards.Contains(shard)) shards.Add(shard);
        }
        return shards;
    }

    static string Join(string folder, string file) => folder.Length == 0 ? file : folder + "/" + file;
}

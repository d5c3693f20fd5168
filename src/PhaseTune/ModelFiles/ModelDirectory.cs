using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Hub;
using PhaseTune.IO;
using PhaseTune.Models;
using PhaseTune.Text;

namespace PhaseTune.ModelFiles;

/// <summary>Reads and writes model directories: HF layout (config.json, weights — see <see cref="CheckpointFiles"/> —,
/// tokenizer files; saves write model.safetensors) and
/// sentence-transformers layout (modules.json naming the transformer folder — "" or "0_Transformer" — and
/// `1_Pooling/config.json`; older saves with only a `0_Transformer/` subfolder).</summary>
public static class ModelDirectory
{
    public static LoadedEncoder Load(string directory)
    {
        var folder = new SandboxedFolder(ModelLocator.Locate(directory));
        var (hf, poolingDir, normalize) = Resolve(folder);
        var config = EncoderConfig.Load(hf.File("config.json"));
        var file = CheckpointFiles.Open(hf);
        string weights = file.Path;
        long stored = file.Tensors.Values.Sum(e => e.Shape.Aggregate(1L, (a, b) => a * b));
        long pooler = config.HasPooler ? (long)config.HiddenSize * config.HiddenSize + config.HiddenSize : 0;   // may be absent from the file
        if (config.ParameterCount is not long needed || needed - pooler > stored)
            throw new InvalidDataException($"{hf.File("config.json")}: describes an encoder of {config.ParameterCount?.ToString() ?? "more than 2^62"} numbers " +
                $"but {weights} holds {stored}; the two files do not belong together");
        var tokenizer = TokenizerLoader.Load(hf);
        if (tokenizer.VocabSize > config.VocabSize)
            throw new InvalidDataException($"{hf.Path}: tokenizer has {tokenizer.VocabSize} tokens but config.json vocab_size is {config.VocabSize}");
        var model = new BertModel(config);
        var report = CheckpointLoader.Load(model, file, key => key.StartsWith("pooler.", StringComparison.Ordinal),
            name => CheckpointNames.FromHf(config, name));
        (model.MaskedLmHead, report) = ReadMaskedLmHead(model, file, report);
        model.eval();
        var pooling = poolingDir is null ? (PoolingMode?)null : ReadPooling(poolingDir.File("config.json"));
        return new LoadedEncoder(model, tokenizer, pooling, normalize, ReadMaxSeqLength(hf), report);
    }

    /// <summary>The checkpoint's masked-LM head (BERT `cls.predictions.*`, RoBERTa `lm_head.*`, DistilBERT `vocab_*`,
    /// ELECTRA `generator_*`; the tied decoder matrix is the word embeddings and is not read), when the file has a whole
    /// one; its tensors leave the report's unused list.</summary>
    static (IReadOnlyDictionary<string, TorchSharp.torch.Tensor>?, LoadReport) ReadMaskedLmHead(BertModel model, ICheckpoint file, LoadReport report)
    {
        var c = model.Config;
        string prefix = MaskedLmHead.Name(c) + ".";
        var byName = new Dictionary<string, string>();          // the head's PhaseTune name → checkpoint name
        foreach (var name in file.Tensors.Keys) byName.TryAdd(CheckpointNames.FromHf(c, name), name);
        if (!byName.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal))) return (null, report);
        // the head's keys and shapes, from a throwaway head built without touching the run's random stream
        using var rng = TorchSharp.torch.get_rng_state();
        Dictionary<string, long[]> wanted;
        using (var head = MaskedLmHead.Create(c, () => model.Embeddings.WordEmbeddings))
            wanted = head.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        TorchSharp.torch.set_rng_state(rng);
        var tied = new[] { "predictions.decoder.weight", "predictions.decoder.bias", "decoder.weight", "decoder.bias" };
        // a stray head tensor (RobertaModel saves keep lm_head.bias) is no head: it stays in the unused list
        if (wanted.Keys.Any(k => !byName.ContainsKey(prefix + k))) return (null, report);
        var tensors = new Dictionary<string, TorchSharp.torch.Tensor>();
        foreach (var (key, shape) in wanted)
        {
            string name = byName[prefix + key];
            var entry = file.Tensors[name];
            if (!entry.Shape.SequenceEqual(shape))
                throw new InvalidDataException($"{file.Path}: '{name}' has shape [{string.Join(", ", entry.Shape)}], the head needs [{string.Join(", ", shape)}]");
            tensors[key] = file.Read(name).to_type(TorchSharp.torch.ScalarType.Float32).DetachFromDisposeScope();
        }
        var used = wanted.Keys.Concat(tied).Select(k => byName.GetValueOrDefault(prefix + k)).OfType<string>().ToHashSet();
        return (tensors, report with { Unused = report.Unused.Where(k => !used.Contains(k)).ToList() });
    }

    /// <summary>The checkpoint's sentence pipeline, read without loading any weights (for a run's defaults).</summary>
    public static SentencePipeline ReadPipeline(string directory)
    {
        var (hf, poolingDir, normalize) = Resolve(new SandboxedFolder(ModelLocator.Locate(directory)));
        var pooling = poolingDir is null ? (PoolingMode?)null : ReadPooling(poolingDir.File("config.json"));
        return new SentencePipeline(pooling, normalize, ReadMaxSeqLength(hf));
    }

    /// <summary>sentence_bert_config.json's max_seq_length in the transformer module's folder, if it has one.</summary>
    static int? ReadMaxSeqLength(SandboxedFolder hf)
    {
        string path = hf.File("sentence_bert_config.json");
        if (!File.Exists(path)) return null;
        JsonObject o;
        try { o = JsonNode.Parse(File.ReadAllText(path), null, StrictJson.Document) as JsonObject ?? throw new JsonException("not an object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message})"); }
        if (o["max_seq_length"] is null) return null;
        if (o["max_seq_length"] is JsonValue v && v.TryGetValue<int>(out int n) && n >= 3) return n;
        throw new InvalidDataException($"{path}: max_seq_length must be an integer ≥ 3, got {o["max_seq_length"]!.ToJsonString()}");
    }

    /// <summary>The folders of a model directory's transformer and pooling modules, and whether it normalises.</summary>
    public static (string Transformer, string? Pooling, bool Normalize) Layout(string directory)
    {
        var (hf, pooling, normalize) = Resolve(new SandboxedFolder(ModelLocator.Locate(directory)));
        return (hf.Path, pooling?.Path, normalize);
    }

    /// <summary>Where the transformer and the pooling config sit; every module path must stay inside the folder.</summary>
    static (SandboxedFolder Hf, SandboxedFolder? Pooling, bool Normalize) Resolve(SandboxedFolder dir)
    {
        string modulesJson = dir.File("modules.json");
        if (File.Exists(modulesJson))
        {
            JsonArray modules;
            try { modules = JsonNode.Parse(File.ReadAllText(modulesJson), null, StrictJson.Document) as JsonArray ?? throw new JsonException("not an array"); }
            catch (JsonException e) { throw new InvalidDataException($"{modulesJson}: invalid JSON ({e.Message})"); }
            SandboxedFolder? hf = null, pooling = null;
            bool normalize = false;
            foreach (var m in modules.OfType<JsonObject>())
            {
                string type = Field(m, "type"), path = Field(m, "path");
                if (type.EndsWith(".Transformer")) hf ??= dir.Folder(path, modulesJson);
                else if (type.EndsWith(".Pooling")) pooling ??= dir.Folder(path, modulesJson);
                else if (type.EndsWith(".Normalize")) normalize = true;
            }
            if (hf is null) throw new InvalidDataException($"{modulesJson}: no Transformer module listed");
            return (hf, pooling, normalize);

            string Field(JsonObject m, string key) => m[key] switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => throw new InvalidDataException($"{modulesJson}: a module's \"{key}\" is not a string"),
            };
        }
        SandboxedFolder? Pooling() => Directory.Exists(dir.File("1_Pooling")) ? dir.Folder("1_Pooling") : null;
        if (!File.Exists(dir.File("config.json")) && File.Exists(dir.File(System.IO.Path.Combine("0_Transformer", "config.json"))))
            return (dir.Folder("0_Transformer"), Pooling(), false);
        return (dir, Pooling(), false);
    }

    /// <summary>sentence-transformers' Pooling config: the first mode flag that is set.</summary>
    public static PoolingMode ReadPooling(string path)
    {
        JsonObject o;
        try { o = JsonNode.Parse(File.ReadAllText(path), null, StrictJson.Document) as JsonObject ?? throw new JsonException("not an object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message})"); }
        catch (FileNotFoundException) { throw new FileNotFoundException($"{path}: pooling config not found"); }
        bool Flag(string k) => o[k] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        if (o["pooling_mode"] is JsonValue pm && pm.TryGetValue<string>(out var mode)) return Pooling.Parse(mode == "mean_tokens" ? "mean" : mode);
        if (Flag("pooling_mode_cls_token")) return PoolingMode.Cls;
        if (Flag("pooling_mode_mean_tokens")) return PoolingMode.Mean;
        if (Flag("pooling_mode_max_tokens")) return PoolingMode.Max;
        throw new NotSupportedException($"{path}: no supported pooling mode set (cls, mean, max)");
    }

    /// <summary>Writes a HF-layout directory, plus the sentence-transformers modules of <paramref name="pipeline"/>
    /// when it has a pooling. The directory is built beside the target and renamed into place, so it appears whole
    /// or not at all.</summary>
    public static void Save(BertModel model, ITokenizer tokenizer, string directory, SentencePipeline? pipeline = null) =>
        AtomicDirectory.Write(directory, tmp => WriteInto(tmp, model, tokenizer, pipeline, maskedLmHead: true));

    /// <summary>Writes the HF-layout files into an existing directory (used inside larger atomic saves): the
    /// transformer at the root, `1_Pooling`, an empty `2_Normalize` when normalising, modules.json, and
    /// sentence_bert_config.json with the max_seq_length, so sentence-transformers loads the same pipeline.</summary>
    /// <param name="maskedLmHead">also write the encoder's masked-LM head, if it has one (a pre-trained encoder keeps
    /// it; a classifier does not need it)</param>
    public static void WriteInto(string dir, BertModel model, ITokenizer tokenizer, SentencePipeline? pipeline, bool maskedLmHead)
    {
        var head = maskedLmHead ? model.MaskedLmHead : null;
        var indented = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(dir, "config.json"), model.Config.ToJson(maskedLm: head is not null).ToJsonString(indented));
        var c = model.Config;
        var tensors = model.state_dict().Select(kv => (Key: CheckpointNames.ToHf(c, kv.Key), kv.Value));
        if (head is not null)
        {
            // HF's *ForMaskedLM layout, so transformers loads the head too: encoder under its base_model_prefix
            // (`bert.`, `roberta.`, `distilbert.`, `electra.`), head under its own names (`cls.`, `lm_head.`, `vocab_*`, `generator_*`)
            string encoderPrefix = CheckpointNames.EncoderPrefix(c), headPrefix = MaskedLmHead.Name(c) + ".";
            tensors = tensors.Select(t => (encoderPrefix + t.Key, t.Value))
                .Concat(head.Select(kv => (CheckpointNames.ToHf(c, headPrefix + kv.Key), kv.Value)));
        }
        SafeTensorsFile.Save(Path.Combine(dir, "model.safetensors"), tensors);
        tokenizer.Save(dir);
        if (pipeline?.Pooling is not PoolingMode p || p == PoolingMode.Pooler) return;
        var cfg = new JsonObject
        {
            ["word_embedding_dimension"] = model.Config.HiddenSize,
            ["pooling_mode_cls_token"] = p == PoolingMode.Cls,
            ["pooling_mode_mean_tokens"] = p == PoolingMode.Mean,
            ["pooling_mode_max_tokens"] = p == PoolingMode.Max,
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "1_Pooling", "config.json"), cfg.ToJsonString(indented));
        var modules = new JsonArray(
            new JsonObject { ["idx"] = 0, ["name"] = "0", ["path"] = "", ["type"] = "sentence_transformers.models.Transformer" },
            new JsonObject { ["idx"] = 1, ["name"] = "1", ["path"] = "1_Pooling", ["type"] = "sentence_transformers.models.Pooling" });
        if (pipeline.Normalize)
        {
            Directory.CreateDirectory(Path.Combine(dir, "2_Normalize"));
            modules.Add(new JsonObject { ["idx"] = 2, ["name"] = "2", ["path"] = "2_Normalize", ["type"] = "sentence_transformers.models.Normalize" });
        }
        AtomicFile.WriteAllText(Path.Combine(dir, "modules.json"), modules.ToJsonString(indented));
        if (pipeline.MaxSeqLength is int max)
            AtomicFile.WriteAllText(Path.Combine(dir, "sentence_bert_config.json"),
                new JsonObject { ["max_seq_length"] = max, ["do_lower_case"] = false }.ToJsonString(indented));
    }
}

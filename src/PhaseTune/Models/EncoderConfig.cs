using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;

namespace PhaseTune.Models;

/// <summary>The fields of a HF BERT-family config.json that the encoder's math depends on. DistilBERT and ELECTRA are
/// the BERT graph with parts left out or added, so they are read into the same fields (named as BERT names them):
/// DistilBERT has no token types (<see cref="TypeVocabSize"/> 0), no pooler and no dropout after the attention's
/// output projection; ELECTRA's embeddings are <see cref="EmbeddingSize"/> wide and projected to the hidden size
/// (`embeddings_project`) when the two differ, and it has no pooler.</summary>
public sealed record EncoderConfig
{
    public string ModelType { get; init; } = "bert";
    public int VocabSize { get; init; } = 30522;
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    public int MaxPositionEmbeddings { get; init; } = 512;
    /// <summary>Rows of the token type table; 0 for an architecture without one (DistilBERT).</summary>
    public int TypeVocabSize { get; init; } = 2;
    public double LayerNormEps { get; init; } = 1e-12;
    public string HiddenAct { get; init; } = "gelu";
    public double HiddenDropoutProb { get; init; } = 0.1;
    public double AttentionProbsDropoutProb { get; init; } = 0.1;
    public int PadTokenId { get; init; } = 0;
    public double InitializerRange { get; init; } = 0.02;

    /// <summary>Width of the embeddings (ELECTRA's embedding_size); the hidden size for every other architecture.</summary>
    public int EmbeddingSize { get => _embeddingSize ?? HiddenSize; init => _embeddingSize = value; }
    readonly int? _embeddingSize;

    public bool IsRoberta => ModelType is "roberta" or "xlm-roberta" or "camembert";
    public bool IsDistilBert => ModelType == "distilbert";
    /// <summary>BERT and RoBERTa have a pooler (dense → tanh on the first token); DistilBERT and ELECTRA have none.</summary>
    public bool HasPooler => ModelType is not ("distilbert" or "electra");
    /// <summary>Whether the embeddings are projected to the hidden size (ELECTRA's `embeddings_project`).</summary>
    public bool ProjectsEmbeddings => EmbeddingSize != HiddenSize;
    public int HeadSize => HiddenSize / NumAttentionHeads;

    static readonly string[] Supported = ["bert", "roberta", "xlm-roberta", "camembert", "distilbert", "electra"];
    static readonly string[] Activations = ["gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu", "silu", "swish"];

    public static EncoderConfig Load(string path)
    {
        JsonObject o;
        try { o = JsonNode.Parse(File.ReadAllText(path), null, StrictJson.Document) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message})"); }
        catch (FileNotFoundException) { throw new FileNotFoundException($"{path}: config.json not found"); }

        var d = new EncoderConfig();
        string type = Read(o, path, "model_type", d.ModelType, v => v.GetValue<string>());
        // HF writes every key of these configs; one without its shape keys was not written by HF, and guessing HF's
        // defaults (768 wide, 12 layers) would only fail later at the weights
        bool strict = type is "distilbert" or "electra";
        int Int(string key, int def) => Read(o, path, key, def, v => v.GetValue<int>(), strict ? type : null);
        int Opt(string key, int def) => Read(o, path, key, def, v => v.GetValue<int>());
        double Dbl(string key, double def) => Read(o, path, key, def, v => v.GetValue<double>());
        string Str(string key, string def) => Read(o, path, key, def, v => v.GetValue<string>());

        EncoderConfig c;
        if (type == "distilbert")
        {
            if (Read(o, path, "sinusoidal_pos_embds", false, v => v.GetValue<bool>()))
                throw new NotSupportedException($"{path}: \"sinusoidal_pos_embds\": true is not supported (HF keeps such position embeddings frozen; every released DistilBERT learns them)");
            c = new EncoderConfig
            {
                ModelType = type,
                VocabSize = Int("vocab_size", d.VocabSize),
                HiddenSize = Int("dim", d.HiddenSize),
                NumHiddenLayers = Int("n_layers", 6),
                NumAttentionHeads = Int("n_heads", d.NumAttentionHeads),
                IntermediateSize = Int("hidden_dim", d.IntermediateSize),
                MaxPositionEmbeddings = Int("max_position_embeddings", d.MaxPositionEmbeddings),
                TypeVocabSize = 0,
                LayerNormEps = 1e-12,   // fixed in HF's DistilBERT modules, not a config key
                HiddenAct = Str("activation", d.HiddenAct),
                HiddenDropoutProb = Dbl("dropout", d.HiddenDropoutProb),
                AttentionProbsDropoutProb = Dbl("attention_dropout", d.AttentionProbsDropoutProb),
                PadTokenId = Opt("pad_token_id", d.PadTokenId),
                InitializerRange = Dbl("initializer_range", d.InitializerRange),
            };
        }
        else
        {
            c = new EncoderConfig
            {
                ModelType = type,
                VocabSize = Int("vocab_size", d.VocabSize),
                HiddenSize = Int("hidden_size", d.HiddenSize),
                NumHiddenLayers = Int("num_hidden_layers", d.NumHiddenLayers),
                NumAttentionHeads = Int("num_attention_heads", d.NumAttentionHeads),
                IntermediateSize = Int("intermediate_size", d.IntermediateSize),
                MaxPositionEmbeddings = Int("max_position_embeddings", d.MaxPositionEmbeddings),
                TypeVocabSize = Int("type_vocab_size", d.TypeVocabSize),
                LayerNormEps = Dbl("layer_norm_eps", d.LayerNormEps),
                HiddenAct = Str("hidden_act", d.HiddenAct),
                HiddenDropoutProb = Dbl("hidden_dropout_prob", d.HiddenDropoutProb),
                AttentionProbsDropoutProb = Dbl("attention_probs_dropout_prob", d.AttentionProbsDropoutProb),
                PadTokenId = Opt("pad_token_id", d.PadTokenId),
                InitializerRange = Dbl("initializer_range", d.InitializerRange),
            };
            if (type == "electra") c = c with { EmbeddingSize = Int("embedding_size", 128) };
        }
        if (o["position_embedding_type"] is JsonValue pe && pe.GetValue<string>() != "absolute")
            throw new NotSupportedException($"{path}: position_embedding_type '{pe}' is not supported (absolute only)");
        c.Validate(path);
        return c;
    }

    /// <param name="requiredFor">the model_type for which HF always writes the key: its absence is an error</param>
    static T Read<T>(JsonObject o, string path, string key, T def, Func<JsonValue, T> get, string? requiredFor = null)
    {
        if (o[key] is null)
            return requiredFor is null ? def : throw new InvalidDataException($"{path}: \"{key}\" is missing (HF writes it for model_type {requiredFor})");
        try { return get(o[key]!.AsValue()); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        { throw new InvalidDataException($"{path}: \"{key}\" has an unexpected value {o[key]!.ToJsonString()}"); }
    }

    /// <summary>The config.json key of a field, as the architecture's HF config names it.</summary>
    string Key(string bertKey) => !IsDistilBert ? bertKey : bertKey switch
    {
        "hidden_size" => "dim", "num_hidden_layers" => "n_layers", "num_attention_heads" => "n_heads",
        "intermediate_size" => "hidden_dim", "hidden_act" => "activation", "hidden_dropout_prob" => "dropout",
        "attention_probs_dropout_prob" => "attention_dropout", _ => bertKey,
    };

    public void Validate(string source = "config")
    {
        if (!Supported.Contains(ModelType))
            throw new NotSupportedException($"{source}: model_type '{ModelType}' is not supported ({string.Join(", ", Supported)})");
        if (!Activations.Contains(HiddenAct))
            throw new NotSupportedException($"{source}: {Key("hidden_act")} '{HiddenAct}' is not supported ({string.Join(", ", Activations)})");
        void AtLeast(string key, long value, long min)
        {
            if (value < min) throw new InvalidDataException($"{source}: {Key(key)} must be ≥ {min}, got {value}");
        }
        AtLeast("vocab_size", VocabSize, 1);
        AtLeast("hidden_size", HiddenSize, 1);
        AtLeast("embedding_size", EmbeddingSize, 1);
        AtLeast("num_hidden_layers", NumHiddenLayers, 1);
        AtLeast("num_attention_heads", NumAttentionHeads, 1);
        AtLeast("intermediate_size", IntermediateSize, 1);
        AtLeast("max_position_embeddings", MaxPositionEmbeddings, 1);
        if (IsDistilBert != (TypeVocabSize == 0))
            throw new InvalidDataException($"{source}: {(IsDistilBert ? "distilbert has no token type table" : "type_vocab_size must be ≥ 1")}, got type_vocab_size {TypeVocabSize}");
        if (ProjectsEmbeddings && ModelType != "electra")
            throw new InvalidDataException($"{source}: only electra has an embedding_size other than the hidden size ({EmbeddingSize} vs {HiddenSize})");
        AtLeast("pad_token_id", PadTokenId, 0);
        if (HiddenSize % NumAttentionHeads != 0)
            throw new InvalidDataException($"{source}: {Key("hidden_size")} {HiddenSize} is not a multiple of {Key("num_attention_heads")} {NumAttentionHeads}");
        if (PadTokenId >= VocabSize) throw new InvalidDataException($"{source}: pad_token_id must be < vocab_size {VocabSize}, got {PadTokenId}");
        if (IsRoberta && MaxPositionEmbeddings <= PadTokenId + 1)
            throw new InvalidDataException($"{source}: max_position_embeddings must exceed pad_token_id + 1 = {PadTokenId + 1} for {ModelType}, got {MaxPositionEmbeddings}");
        foreach (var (key, p) in new[] { ("hidden_dropout_prob", HiddenDropoutProb), ("attention_probs_dropout_prob", AttentionProbsDropoutProb) })
            if (!(p >= 0 && p <= 1)) throw new InvalidDataException($"{source}: {Key(key)} must be in [0, 1], got {p}");
        if (!(LayerNormEps > 0)) throw new InvalidDataException($"{source}: layer_norm_eps must be > 0, got {LayerNormEps}");
        if (!(InitializerRange >= 0) || double.IsInfinity(InitializerRange))
            throw new InvalidDataException($"{source}: initializer_range must be ≥ 0 and finite, got {InitializerRange}");
    }

    /// <summary>How many numbers the encoder holds (pooler included, if it has one), or null past 2^62: what a
    /// checkpoint must carry, checked before a configuration from a file is allowed to allocate anything.</summary>
    public long? ParameterCount
    {
        get
        {
            try
            {
                checked
                {
                    long h = HiddenSize, i = IntermediateSize, e = EmbeddingSize;
                    long embeddings = ((long)VocabSize + MaxPositionEmbeddings + TypeVocabSize) * e + 2 * e;
                    long project = ProjectsEmbeddings ? e * h + h : 0;
                    long layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h;
                    long total = embeddings + project + NumHiddenLayers * layer + (HasPooler ? h * h + h : 0);
                    return total > (1L << 62) ? null : total;
                }
            }
            catch (OverflowException) { return null; }
        }
    }

    /// <summary>Longest input the position table allows (RoBERTa reserves pad_token_id + 1 rows).</summary>
    public int MaxSequenceLength => IsRoberta ? MaxPositionEmbeddings - PadTokenId - 1 : MaxPositionEmbeddings;

    /// <summary>config.json as HF writes it for the architecture (DistilBERT under its own key names).</summary>
    /// <param name="maskedLm">the checkpoint carries a masked-LM head (HF's *ForMaskedLM architecture)</param>
    public JsonObject ToJson(bool maskedLm = false)
    {
        string family = ModelType switch { "distilbert" => "DistilBert", "electra" => "Electra", _ when IsRoberta => "Roberta", _ => "Bert" };
        var o = new JsonObject { ["model_type"] = ModelType, ["architectures"] = new JsonArray(family + (maskedLm ? "ForMaskedLM" : "Model")) };
        if (IsDistilBert)
        {
            o["vocab_size"] = VocabSize; o["dim"] = HiddenSize; o["n_layers"] = NumHiddenLayers; o["n_heads"] = NumAttentionHeads;
            o["hidden_dim"] = IntermediateSize; o["activation"] = HiddenAct; o["max_position_embeddings"] = MaxPositionEmbeddings;
            o["sinusoidal_pos_embds"] = false; o["pad_token_id"] = PadTokenId; o["dropout"] = HiddenDropoutProb;
            o["attention_dropout"] = AttentionProbsDropoutProb; o["initializer_range"] = InitializerRange;
            return o;
        }
        o["vocab_size"] = VocabSize;
        if (ModelType == "electra") o["embedding_size"] = EmbeddingSize;
        o["hidden_size"] = HiddenSize; o["num_hidden_layers"] = NumHiddenLayers; o["num_attention_heads"] = NumAttentionHeads;
        o["intermediate_size"] = IntermediateSize; o["hidden_act"] = HiddenAct; o["max_position_embeddings"] = MaxPositionEmbeddings;
        o["type_vocab_size"] = TypeVocabSize; o["layer_norm_eps"] = LayerNormEps; o["pad_token_id"] = PadTokenId;
        o["hidden_dropout_prob"] = HiddenDropoutProb; o["attention_probs_dropout_prob"] = AttentionProbsDropoutProb;
        o["initializer_range"] = InitializerRange; o["position_embedding_type"] = "absolute";
        return o;
    }
}

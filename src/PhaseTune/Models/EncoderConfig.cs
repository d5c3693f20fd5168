using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;

namespace PhaseTune.Models;

/// <summary>The fields of a HF BERT-family config.json that the encoder's math depends on.</summary>
public sealed record EncoderConfig
{
    public string ModelType { get; init; } = "bert";
    public int VocabSize { get; init; } = 30522;
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    public int MaxPositionEmbeddings { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public double LayerNormEps { get; init; } = 1e-12;
    public string HiddenAct { get; init; } = "gelu";
    public double HiddenDropoutProb { get; init; } = 0.1;
    public double AttentionProbsDropoutProb { get; init; } = 0.1;
    public int PadTokenId { get; init; } = 0;
    public double InitializerRange { get; init; } = 0.02;

    public bool IsRoberta => ModelType is "roberta" or "xlm-roberta" or "camembert";
    public int HeadSize => HiddenSize / NumAttentionHeads;

    static readonly string[] Supported = ["bert", "roberta", "xlm-roberta", "camembert"];
    static readonly string[] Activations = ["gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu", "silu", "swish"];

    public static EncoderConfig Load(string path)
    {
        JsonObject o;
        try { o = JsonNode.Parse(File.ReadAllText(path), null, StrictJson.Document) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message})"); }
        catch (FileNotFoundException) { throw new FileNotFoundException($"{path}: config.json not found"); }

        var d = new EncoderConfig();
        int Int(string key, int def) => Read(o, path, key, def, v => v.GetValue<int>());
        double Dbl(string key, double def) => Read(o, path, key, def, v => v.GetValue<double>());
        string Str(string key, string def) => Read(o, path, key, def, v => v.GetValue<string>());

        var c = new EncoderConfig
        {
            ModelType = Str("model_type", d.ModelType),
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
            PadTokenId = Int("pad_token_id", d.PadTokenId),
            InitializerRange = Dbl("initializer_range", d.InitializerRange),
        };
        if (o["position_embedding_type"] is JsonValue pe && pe.GetValue<string>() != "absolute")
            throw new NotSupportedException($"{path}: position_embedding_type '{pe}' is not supported (absolute only)");
        c.Validate(path);
        return c;
    }

    static T Read<T>(JsonObject o, string path, string key, T def, Func<JsonValue, T> get)
    {
        if (o[key] is null) return def;
        try { return get(o[key]!.AsValue()); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        { throw new InvalidDataException($"{path}: \"{key}\" has an unexpected value {o[key]!.ToJsonString()}"); }
    }

    public void Validate(string source = "config")
    {
        if (!Supported.Contains(ModelType))
            throw new NotSupportedException($"{source}: model_type '{ModelType}' is not supported ({string.Join(", ", Supported)})");
        if (!Activations.Contains(HiddenAct))
            throw new NotSupportedException($"{source}: hidden_act '{HiddenAct}' is not supported ({string.Join(", ", Activations)})");
        void AtLeast(string key, long value, long min)
        {
            if (value < min) throw new InvalidDataException($"{source}: {key} must be ≥ {min}, got {value}");
        }
        AtLeast("vocab_size", VocabSize, 1);
        AtLeast("hidden_size", HiddenSize, 1);
        AtLeast("num_hidden_layers", NumHiddenLayers, 1);
        AtLeast("num_attention_heads", NumAttentionHeads, 1);
        AtLeast("intermediate_size", IntermediateSize, 1);
        AtLeast("max_position_embeddings", MaxPositionEmbeddings, 1);
        AtLeast("type_vocab_size", TypeVocabSize, 1);
        AtLeast("pad_token_id", PadTokenId, 0);
        if (HiddenSize % NumAttentionHeads != 0)
            throw new InvalidDataException($"{source}: hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}");
        if (PadTokenId >= VocabSize) throw new InvalidDataException($"{source}: pad_token_id must be < vocab_size {VocabSize}, got {PadTokenId}");
        if (IsRoberta && MaxPositionEmbeddings <= PadTokenId + 1)
            throw new InvalidDataException($"{source}: max_position_embeddings must exceed pad_token_id + 1 = {PadTokenId + 1} for {ModelType}, got {MaxPositionEmbeddings}");
        foreach (var (key, p) in new[] { ("hidden_dropout_prob", HiddenDropoutProb), ("attention_probs_dropout_prob", AttentionProbsDropoutProb) })
            if (!(p >= 0 && p <= 1)) throw new InvalidDataException($"{source}: {key} must be in [0, 1], got {p}");
        if (!(LayerNormEps > 0)) throw new InvalidDataException($"{source}: layer_norm_eps must be > 0, got {LayerNormEps}");
        if (!(InitializerRange >= 0) || double.IsInfinity(InitializerRange))
            throw new InvalidDataException($"{source}: initializer_range must be ≥ 0 and finite, got {InitializerRange}");
    }

    /// <summary>How many numbers the encoder holds (pooler included), or null past 2^62: what a checkpoint must carry,
    /// checked before a configuration from a file is allowed to allocate anything.</summary>
    public long? ParameterCount
    {
        get
        {
            try
            {
                checked
                {
                    long h = HiddenSize, i = IntermediateSize;
                    long embeddings = ((long)VocabSize + MaxPositionEmbeddings + TypeVocabSize) * h + 2 * h;
                    long layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h;
                    long total = embeddings + NumHiddenLayers * layer + h * h + h;
                    return total > (1L << 62) ? null : total;
                }
            }
            catch (OverflowException) { return null; }
        }
    }

    /// <summary>Longest input the position table allows (RoBERTa reserves pad_token_id + 1 rows).</summary>
    public int MaxSequenceLength => IsRoberta ? MaxPositionEmbeddings - PadTokenId - 1 : MaxPositionEmbeddings;

    /// <param name="maskedLm">the checkpoint carries a masked-LM head (HF's *ForMaskedLM architecture)</param>
    public JsonObject ToJson(bool maskedLm = false) => new()
    {
        ["model_type"] = ModelType,
        ["architectures"] = new JsonArray((IsRoberta ? "Roberta" : "Bert") + (maskedLm ? "ForMaskedLM" : "Model")),
        ["vocab_size"] = VocabSize, ["hidden_size"] = HiddenSize, ["num_hidden_layers"] = NumHiddenLayers,
        ["num_attention_heads"] = NumAttentionHeads, ["intermediate_size"] = IntermediateSize,
        ["hidden_act"] = HiddenAct, ["max_position_embeddings"] = MaxPositionEmbeddings,
        ["type_vocab_size"] = TypeVocabSize, ["layer_norm_eps"] = LayerNormEps, ["pad_token_id"] = PadTokenId,
        ["hidden_dropout_prob"] = HiddenDropoutProb, ["attention_probs_dropout_prob"] = AttentionProbsDropoutProb,
        ["initializer_range"] = InitializerRange, ["position_embedding_type"] = "absolute",
    };
}

using PhaseTune.Models;

namespace PhaseTune.ModelFiles;

/// <summary>HF's checkpoint names for an architecture that PhaseTune runs as the BERT graph under BERT's module names:
/// DistilBERT's layers (`transformer.layer.N.attention.q_lin`, `sa_layer_norm`, `ffn.lin1`, ...) and the DistilBERT and
/// ELECTRA masked-LM heads, held as BERT's `cls.predictions.*`. One table, read both ways, so a checkpoint loads by
/// lookup and saves back under the names HF loads. Every other name is the same in both.</summary>
public static class CheckpointNames
{
    /// <summary>HF's base_model_prefix: the encoder's keys start with it in a task model's checkpoint (*ForMaskedLM).</summary>
    public static string EncoderPrefix(EncoderConfig c) => c.ModelType switch
    {
        "distilbert" => "distilbert.",
        "electra" => "electra.",
        _ when c.IsRoberta => "roberta.",
        _ => "bert.",
    };

    /// <summary>Inside `transformer.layer.N.` (DistilBERT) ↔ inside `encoder.layer.N.` (BERT).</summary>
    static readonly (string Hf, string Bert)[] DistilBertLayer =
    [
        ("attention.q_lin.", "attention.self.query."), ("attention.k_lin.", "attention.self.key."),
        ("attention.v_lin.", "attention.self.value."), ("attention.out_lin.", "attention.output.dense."),
        ("sa_layer_norm.", "attention.output.LayerNorm."), ("ffn.lin1.", "intermediate.dense."),
        ("ffn.lin2.", "output.dense."), ("output_layer_norm.", "output.LayerNorm."),
    ];

    static (string Hf, string Bert)[] Head(EncoderConfig c) => c.ModelType switch
    {
        "distilbert" =>
        [
            ("vocab_transform.", "cls.predictions.transform.dense."), ("vocab_layer_norm.", "cls.predictions.transform.LayerNorm."),
            ("vocab_projector.bias", "cls.predictions.bias"), ("vocab_projector.weight", "cls.predictions.decoder.weight"),
        ],
        "electra" =>
        [
            ("generator_predictions.dense.", "cls.predictions.transform.dense."), ("generator_predictions.LayerNorm.", "cls.predictions.transform.LayerNorm."),
            ("generator_lm_head.bias", "cls.predictions.bias"), ("generator_lm_head.weight", "cls.predictions.decoder.weight"),
        ],
        _ => [],
    };

    /// <summary>The PhaseTune name of a HF name (encoder keys without the task prefix; head keys as HF stores them).</summary>
    public static string FromHf(EncoderConfig c, string name) => Map(c, name, toHf: false);

    /// <summary>The HF name of a PhaseTune name: an encoder state_dict key, or a head key under `cls.`.</summary>
    public static string ToHf(EncoderConfig c, string name) => Map(c, name, toHf: true);

    static string Map(EncoderConfig c, string name, bool toHf)
    {
        foreach (var (hf, bert) in Head(c))
        {
            var (from, to) = toHf ? (bert, hf) : (hf, bert);
            if (name.StartsWith(from, StringComparison.Ordinal)) return to + name[from.Length..];
        }
        if (!c.IsDistilBert) return name;
        var (outer, inner) = toHf ? ("encoder.layer.", "transformer.layer.") : ("transformer.layer.", "encoder.layer.");
        if (!name.StartsWith(outer, StringComparison.Ordinal)) return name;
        int dot = name.IndexOf('.', outer.Length);
        if (dot < 0) return name;
        string index = name[outer.Length..(dot + 1)], rest = name[(dot + 1)..];
        foreach (var (hf, bert) in DistilBertLayer)
        {
            var (from, to) = toHf ? (bert, hf) : (hf, bert);
            if (rest.StartsWith(from, StringComparison.Ordinal)) return inner + index + to + rest[from.Length..];
        }
        return name;
    }
}

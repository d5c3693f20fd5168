using PhaseTune.Models;
using static PhaseTune.ModelFiles.Onnx.OnnxGraph;
using DataType = PhaseTune.ModelFiles.Onnx.Proto.TensorProto.Types.DataType;

namespace PhaseTune.ModelFiles.Onnx;

/// <summary>A <see cref="SentenceEncoder"/>'s eval-mode forward in ONNX: BertModel (HF's math, weights under its
/// state_dict keys; DistilBERT without token types, ELECTRA with its embeddings projection) → pooling → projection →
/// L2 normalisation, as PhaseTune computes each.</summary>
internal static class EncoderGraph
{
    /// <summary>The state_dict keys the graph reads: the encoder's HF keys and `projection.*`.</summary>
    public static IEnumerable<(string Key, TorchSharp.torch.Tensor Value)> Weights(SentenceEncoder encoder)
    {
        var own = encoder.Encoder.named_parameters().Select(p => (p.name, (TorchSharp.torch.Tensor)p.parameter));
        return encoder.Projection is { } proj
            ? own.Concat(proj.named_parameters().Select(p => ("projection." + p.name, (TorchSharp.torch.Tensor)p.parameter)))
            : own;
    }

    /// <summary>Declares the inputs and builds the sentence vectors.</summary>
    /// <returns>(B, H) sentence embeddings</returns>
    public static string Build(OnnxGraph g, SentenceEncoder encoder)
    {
        var c = encoder.Encoder.Config;
        string ids = g.Input("input_ids", DataType.Int64, "batch", "sequence");
        string mask = g.Input("attention_mask", DataType.Int64, "batch", "sequence");
        // a one-row type table (RoBERTa's) has nothing to choose: every token gets row 0, as PhaseTune's types are then all 0
        string? types = c.TypeVocabSize > 1 ? g.Input("token_type_ids", DataType.Int64, "batch", "sequence") : null;

        var x = Embeddings(g, c, ids, types);                                                   // (B, T, E)
        // additive mask as BertModel.ExtendedMask: 0 on tokens, float32's min on padding keys
        var pad = g.Op("Sub", g.Scalar(1f), g.Op("Cast", [mask], Int("to", (long)DataType.Float)));
        var ext = g.Op("Unsqueeze", g.Op("Mul", pad, g.Scalar(float.MinValue)), g.Vector(1, 2)); // (B, 1, 1, T)
        var bt = g.Op("Shape", ids);                                                            // [B, T]
        // the layers run on (B·T, H) rows, so every linear map is one 2-D product with its bias (a Gemm to a runtime)
        x = g.Op("Reshape", x, g.Vector(-1, c.EmbeddingSize));                                 // (B·T, E)
        if (c.ProjectsEmbeddings) x = g.Linear(x, "embeddings_project");                       // (B·T, H)
        for (int i = 0; i < c.NumHiddenLayers; i++) x = Layer(g, c, $"encoder.layer.{i}.", x, ext, bt);
        x = g.Op("Reshape", x, g.Op("Concat", [bt, g.Vector(c.HiddenSize)], Int("axis", 0)));  // (B, T, H)

        var pooled = Pool(g, encoder.Pooling, x, mask);                                          // (B, H)
        if (encoder.Projection is not null) pooled = g.Linear(pooled, "projection");
        // F.normalize: x / max(‖x‖₂, 1e-12)
        return encoder.Normalize
            ? g.Op("Div", pooled, g.Op("Max", g.Op("ReduceL2", [pooled], Ints("axes", 1), Int("keepdims", 1)), g.Scalar(1e-12f)))
            : pooled;
    }

    /// <returns>(B, T, E): LayerNorm(word + position + token type, where the architecture has token types)</returns>
    static string Embeddings(OnnxGraph g, EncoderConfig c, string ids, string? types)
    {
        var word = g.Op("Gather", g.Weight("embeddings.word_embeddings.weight"), ids);          // (B, T, H)
        string positions;
        if (c.IsRoberta)
        {
            // HF's create_position_ids_from_input_ids: pads get pad_token_id, tokens count on from pad_token_id + 1
            var real = g.Op("Cast", [g.Op("Not", g.Op("Equal", ids, g.Scalar((long)c.PadTokenId)))], Int("to", (long)DataType.Int64));
            positions = g.Op("Add", g.Op("Mul", g.Op("CumSum", real, g.Scalar(1L)), real), g.Scalar((long)c.PadTokenId));   // (B, T)
        }
        else
        {
            var t = g.Op("Gather", [g.Op("Shape", ids), g.Scalar(1L)], Int("axis", 0));         // T, a scalar
            positions = g.Op("Range", g.Scalar(0L), t, g.Scalar(1L));                             // (T), broadcast over B
        }
        var sum = g.Op("Add", word, g.Op("Gather", g.Weight("embeddings.position_embeddings.weight"), positions));
        if (c.TypeVocabSize > 0)
            sum = g.Op("Add", sum, g.Op("Gather", g.Weight("embeddings.token_type_embeddings.weight"), types ?? g.Scalar(0L)));   // + (B, T, E) or (E)
        return g.LayerNorm(sum, "embeddings.LayerNorm", c.LayerNormEps);
    }

    /// <summary>One BertLayer: self-attention → residual LayerNorm → intermediate → residual LayerNorm.</summary>
    /// <param name="x">(B·T, H)</param> <param name="mask">(B, 1, 1, T) additive</param> <param name="bt">[B, T]</param>
    static string Layer(OnnxGraph g, EncoderConfig c, string p, string x, string mask, string bt)
    {
        int nh = c.NumAttentionHeads, hs = c.HeadSize;
        // query, key and value as one product, then split into heads with one transpose
        var qkv = g.Linear(x, [p + "attention.self.query", p + "attention.self.key", p + "attention.self.value"], quantize: true);   // (B·T, 3H)
        var heads = g.Op("Transpose", [g.Op("Reshape", qkv, g.Op("Concat", [bt, g.Vector(3, nh, hs)], Int("axis", 0)))], Ints("perm", 2, 0, 3, 1, 4));   // (3, B, nh, T, hs)
        string Head(long k) => g.Op("Gather", [heads, g.Scalar(k)], Int("axis", 0));           // (B, nh, T, hs)
        var kT = g.Op("Transpose", [Head(1)], Ints("perm", 0, 1, 3, 2));                          // (B, nh, hs, T)
        var scores = g.Op("Add", g.Op("Mul", g.Op("MatMul", Head(0), kT), g.Scalar((float)(1 / Math.Sqrt(hs)))), mask);   // (B, nh, T, T)
        var context = g.Op("MatMul", g.Op("Softmax", [scores], Int("axis", -1)), Head(2));        // (B, nh, T, hs)
        context = g.Op("Reshape", g.Op("Transpose", [context], Ints("perm", 0, 2, 1, 3)), g.Vector(-1, c.HiddenSize));   // (B·T, H)
        var a = g.LayerNorm(g.Op("Add", g.Linear(context, p + "attention.output.dense", quantize: true), x), p + "attention.output.LayerNorm", c.LayerNormEps);
        var inner = g.Activation(c.HiddenAct, g.Linear(a, p + "intermediate.dense", quantize: true));   // (B·T, I)
        return g.LayerNorm(g.Op("Add", g.Linear(inner, p + "output.dense", quantize: true), a), p + "output.LayerNorm", c.LayerNormEps);
    }

    /// <summary>Models.Pooling.Pool's four modes.</summary>
    /// <param name="hidden">(B, T, H)</param> <param name="mask">(B, T) int64</param> <returns>(B, H)</returns>
    static string Pool(OnnxGraph g, PoolingMode mode, string hidden, string mask)
    {
        string First() => g.Op("Gather", [hidden, g.Scalar(0L)], Int("axis", 1));
        string Mask3() => g.Op("Unsqueeze", mask, g.Vector(2));                                    // (B, T, 1)
        switch (mode)
        {
            case PoolingMode.Cls: return First();
            case PoolingMode.Pooler: return g.Op("Tanh", g.Linear(First(), "pooler.dense"));
            case PoolingMode.Mean:
                var m = g.Op("Cast", [Mask3()], Int("to", (long)DataType.Float));
                var sum = g.Op("ReduceSum", [g.Op("Mul", hidden, m), g.Vector(1)], Int("keepdims", 0));    // (B, H)
                var count = g.Op("ReduceSum", [m, g.Vector(1)], Int("keepdims", 0));                       // (B, 1)
                return g.Op("Div", sum, g.Op("Max", count, g.Scalar(1e-9f)));
            case PoolingMode.Max:
                var masked = g.Op("Where", g.Op("Equal", Mask3(), g.Scalar(0L)), g.Scalar(-1e9f), hidden);   // (B, T, H)
                return g.Op("ReduceMax", [masked], Ints("axes", 1), Int("keepdims", 0));
            default: throw new ArgumentOutOfRangeException(nameof(mode));
        }
    }
}

using System.Reflection;
using System.Text.Json.Nodes;
using Google.Protobuf;
using PhaseTune.IO;
using PhaseTune.ModelFiles.Onnx.Proto;
using PhaseTune.Models;
using static PhaseTune.ModelFiles.Onnx.OnnxGraph;
using DataType = PhaseTune.ModelFiles.Onnx.Proto.TensorProto.Types.DataType;

namespace PhaseTune.ModelFiles.Onnx;

/// <summary>Writes a PhaseTune model as one self-contained .onnx file (ai.onnx opset 17, float32 weights as
/// initializers under their state_dict keys) that computes what the model computes in eval mode.</summary>
/// <remarks>Inputs, each int64 (batch, sequence): <c>input_ids</c>, <c>attention_mask</c> (1 token, 0 padding) and
/// <c>token_type_ids</c> when the encoder's type table has more than one row (BERT; RoBERTa's has one, so no input).
/// Outputs: <c>sentence_embedding</c> (batch, hidden) and, for a classifier, <c>probabilities</c> (batch, classes).
/// metadata_props carry the pipeline (model_type, pooling, normalize, projection, max_length, pad_token_id) and a
/// classifier's labels (a JSON array, in output order), head_activation and head (its shape, JSON).</remarks>
public static class OnnxExport
{
    public const int Opset = 17;

    /// <summary>The IR version released with opset 17 (ONNX 1.12): runtimes that know the opset read it.</summary>
    const long IrVersion = 8;

    /// <param name="maxLength">what texts are cut to (a sentence-transformers checkpoint's max_seq_length), recorded
    /// in the metadata; by default the encoder's position limit</param>
    /// <param name="int8">dynamic int8 quantization of the transformer layers' linear maps; embeddings, LayerNorms,
    /// pooling, projection and head stay float32</param>
    public static void Encoder(SentenceEncoder encoder, string path, int? maxLength = null, bool int8 = false)
    {
        var c = encoder.Encoder.Config;
        var g = new OnnxGraph(EncoderGraph.Weights(encoder).ToDictionary(w => w.Key, w => w.Value), int8);
        g.Output("sentence_embedding", EncoderGraph.Build(g, encoder), DataType.Float, "batch", encoder.Dimension);
        var meta = Pipeline(encoder, maxLength ?? c.MaxSequenceLength);
        meta["quantization"] = int8 ? "int8" : "none";
        Write(path, g, "PhaseTune sentence encoder", meta);
    }

    public static void Classifier(TextClassifier model, string path, bool int8 = false)
    {
        var weights = EncoderGraph.Weights(model.Encoder)
            .Concat(model.Head.named_parameters().Select(p => (Key: "head." + p.name, Value: (TorchSharp.torch.Tensor)p.parameter)));
        var g = new OnnxGraph(weights.ToDictionary(w => w.Key, w => w.Value), int8);
        var embedding = EncoderGraph.Build(g, model.Encoder);                                   // (B, H)
        // ClassificationHead without its dropouts: its linear layers with the activation between them
        var spec = model.Head.Spec;
        var logits = embedding;
        for (int i = 0; i < spec.Layers; i++)
        {
            logits = g.Linear(logits, "head." + spec.LayerName(i));
            if (i < spec.Layers - 1) logits = g.Activation(spec.Activation, logits);
        }                                                                                       // (B, C)
        g.Output("probabilities", g.Op("Softmax", [logits], Int("axis", 1)), DataType.Float, "batch", model.Labels.Count);
        g.Output("sentence_embedding", embedding, DataType.Float, "batch", model.Encoder.Dimension);
        var meta = Pipeline(model.Encoder, model.MaxLength);
        meta["labels"] = new JsonArray(model.Labels.Select(l => (JsonNode)l).ToArray()).ToJsonString();
        meta["head_activation"] = model.HeadActivation;
        meta["head"] = spec.ToJson().ToJsonString();
        meta["quantization"] = int8 ? "int8" : "none";
        Write(path, g, "PhaseTune text classifier", meta);
    }

    static Dictionary<string, string> Pipeline(SentenceEncoder encoder, int maxLength)
    {
        var c = encoder.Encoder.Config;
        if (maxLength <= 0) throw new ArgumentException($"max length must be positive, got {maxLength}");
        return new()
        {
            ["model_type"] = c.ModelType,
            ["pooling"] = encoder.Pooling.ToString().ToLowerInvariant(),
            ["normalize"] = encoder.Normalize ? "true" : "false",
            ["projection"] = encoder.Projection is null ? "false" : "true",
            ["max_length"] = Math.Min(maxLength, c.MaxSequenceLength).ToString(),
            ["pad_token_id"] = c.PadTokenId.ToString(),
        };
    }

    static void Write(string path, OnnxGraph g, string doc, Dictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
            ProducerName = "PhaseTune",
            ProducerVersion = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = doc,
            Graph = g.Proto,
        };
        model.MetadataProps.AddRange(metadata.Select(kv => new StringStringEntryProto { Key = kv.Key, Value = kv.Value }));
        AtomicFile.Write(path, s => model.WriteTo(s));
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Hub;
using PhaseTune.IO;
using PhaseTune.Models;
using PhaseTune.Text;

namespace PhaseTune.ModelFiles.Onnx;

/// <summary>`phasetune export`: turns a saved model folder (a classifier's DIR/model, or an encoder in HF /
/// sentence-transformers layout) into a deployable folder — model.onnx (<see cref="OnnxExport"/>), the tokenizer's
/// files, labels.json for a classifier, and export.json saying what the graph takes and gives. Written whole or not
/// at all.</summary>
public static class OnnxDirectory
{
    public const string ModelFile = "model.onnx", ManifestFile = "export.json";

    /// <summary>Replaces <paramref name="outDir"/> whole; it must not exist, be empty, or be an earlier export (it has
    /// export.json), so that no other folder is ever replaced.</summary>
    /// <param name="int8">dynamic int8 quantization of the transformer layers (<see cref="OnnxExport.Encoder"/>)</param>
    /// <returns>the manifest written to export.json</returns>
    public static JsonObject Export(string modelDir, string outDir, bool int8 = false)
    {
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !File.Exists(Path.Combine(outDir, ManifestFile)))
            throw new IOException($"{outDir}: exists and is not an export folder (no {ManifestFile}); export into a new or empty folder");
        modelDir = ModelLocator.Locate(modelDir);
        var folder = new SandboxedFolder(modelDir);
        string labelsPath = folder.File("labels.json");
        if (File.Exists(labelsPath) && JsonNode.Parse(File.ReadAllText(labelsPath))?["model"]?.GetValue<string>() is string kind)
            throw new NotSupportedException($"{modelDir}: a {kind} model (labels.json says so); only transformer models export to ONNX");
        JsonObject manifest = null!;
        AtomicDirectory.Write(outDir, tmp =>
        {
            string onnx = Path.Combine(tmp, ModelFile);
            if (File.Exists(labelsPath))
            {
                var model = ClassifierDirectory.Load(modelDir);
                OnnxExport.Classifier(model, onnx, int8);
                model.Tokenizer.Save(tmp);
                File.Copy(labelsPath, Path.Combine(tmp, "labels.json"));
                manifest = Manifest("classifier", model.Encoder, model.Tokenizer, model.MaxLength);
                manifest["outputs"]!.AsArray().Insert(0, Output("probabilities", "batch", model.Labels.Count));
                manifest["labels"] = new JsonArray(model.Labels.Select(l => (JsonNode)l).ToArray());
                manifest["head_activation"] = model.HeadActivation;
                manifest["head"] = model.Head.Spec.ToJson();
            }
            else
            {
                var loaded = ModelDirectory.Load(modelDir);
                var encoder = new SentenceEncoder(loaded.Model, loaded.PoolingOrDefault, loaded.Normalize);
                int maxLength = Math.Min(loaded.MaxSeqLength ?? loaded.Model.Config.MaxSequenceLength, loaded.Model.Config.MaxSequenceLength);
                OnnxExport.Encoder(encoder, onnx, maxLength, int8);
                loaded.Tokenizer.Save(tmp);
                manifest = Manifest("encoder", encoder, loaded.Tokenizer, maxLength);
            }
            manifest["quantization"] = int8 ? "int8" : "none";
            AtomicFile.WriteAllText(Path.Combine(tmp, ManifestFile), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        });
        return manifest;
    }

    static JsonObject Manifest(string kind, SentenceEncoder encoder, ITokenizer tok, int maxLength)
    {
        var c = encoder.Encoder.Config;
        var inputs = new JsonArray(Input("input_ids"), Input("attention_mask"));
        if (c.TypeVocabSize > 1) inputs.Add(Input("token_type_ids"));
        return new JsonObject
        {
            ["format"] = "onnx", ["opset"] = OnnxExport.Opset, ["kind"] = kind, ["file"] = ModelFile,
            ["inputs"] = inputs,
            ["outputs"] = new JsonArray(Output("sentence_embedding", "batch", encoder.Dimension)),
            ["max_length"] = Math.Min(maxLength, c.MaxSequenceLength), ["model_type"] = c.ModelType,
            ["pooling"] = encoder.Pooling.ToString().ToLowerInvariant(), ["normalize"] = encoder.Normalize,
            ["pad_token_id"] = tok.PadId,
        };
    }

    static JsonObject Input(string name) => new() { ["name"] = name, ["type"] = "int64", ["shape"] = new JsonArray("batch", "sequence") };

    static JsonObject Output(string name, string batch, int size) => new() { ["name"] = name, ["type"] = "float32", ["shape"] = new JsonArray(batch, size) };
}

using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Hub;
using PhaseTune.IO;
using PhaseTune.Models;
using static TorchSharp.torch;

namespace PhaseTune.ModelFiles;

/// <summary>A trained classifier on disk: the encoder in HF layout (config.json, model.safetensors, tokenizer files,
/// 1_Pooling) plus head.safetensors (head and contrastive projection), labels.json (labels, max length, pooling, head
/// activation and the head's shape, `head`) and the resolved training_config.json. Written whole or not at all. A save
/// from before head shapes were configurable has no `head` and holds the default head.</summary>
public static class ClassifierDirectory
{
    public static void Save(TextClassifier model, string directory, string? trainingConfigJson = null) => AtomicDirectory.Write(directory, tmp =>
    {
        var encoder = model.Encoder;
        ModelDirectory.WriteInto(tmp, encoder.Encoder, model.Tokenizer, new SentencePipeline(encoder.Pooling, encoder.Normalize, model.MaxLength), maskedLmHead: false);
        var extra = model.Head.named_parameters().Select(p => ("head." + p.name, (Tensor)p.parameter));
        if (encoder.Projection is { } proj) extra = extra.Concat(proj.named_parameters().Select(p => ("projection." + p.name, (Tensor)p.parameter)));
        SafeTensorsFile.Save(Path.Combine(tmp, "head.safetensors"), extra);
        var meta = new JsonObject
        {
            ["labels"] = new JsonArray(model.Labels.Select(l => (JsonNode)l).ToArray()),
            ["max_length"] = model.MaxLength, ["pooling"] = encoder.Pooling.ToString().ToLowerInvariant(),
            ["head_activation"] = model.HeadActivation, ["projection"] = encoder.Projection is not null,
            ["normalize"] = encoder.Normalize, ["head"] = model.Head.Spec.ToJson(),
        };
        AtomicFile.WriteAllText(Path.Combine(tmp, "labels.json"), meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (trainingConfigJson is not null) AtomicFile.WriteAllText(Path.Combine(tmp, "training_config.json"), trainingConfigJson);
    });

    public static TextClassifier Load(string directory)
    {
        directory = ModelLocator.Locate(directory);
        var folder = new SandboxedFolder(directory);
        string labelsPath = folder.File("labels.json");
        if (!File.Exists(labelsPath)) throw new FileNotFoundException($"{directory}: not a PhaseTune classifier (no labels.json)");
        JsonObject meta;
        try { meta = JsonNode.Parse(File.ReadAllText(labelsPath), null, StrictJson.Document)!.AsObject(); }
        catch (JsonException e) { throw new InvalidDataException($"{labelsPath}: invalid JSON ({e.Message})"); }
        var labels = meta["labels"]!.AsArray().Select(l => l!.GetValue<string>()).ToArray();
        var loaded = ModelDirectory.Load(directory);
        var encoder = new SentenceEncoder(loaded.Model, Pooling.Parse(meta["pooling"]!.GetValue<string>()), meta["normalize"]?.GetValue<bool>() == true);
        if (meta["projection"]?.GetValue<bool>() == true) encoder.AddProjection();
        string act = meta["head_activation"]!.GetValue<string>();
        var spec = meta["head"] is JsonObject shape ? HeadSpec.FromJson(shape, labelsPath) : HeadSpec.WithActivation(act);
        if (spec.Activation != act) throw new InvalidDataException($"{labelsPath}: head_activation '{act}' differs from head.activation '{spec.Activation}'");
        var head = new ClassificationHead(loaded.Model.Config.HiddenSize, labels.Length, spec);
        var file = SafeTensorsFile.Open(folder.File("head.safetensors"));
        using (no_grad())
        {
            void Fill(nn.Module m, string prefix)
            {
                foreach (var (name, p) in m.named_parameters())
                {
                    string key = prefix + name;
                    if (!file.Entries.ContainsKey(key)) throw new InvalidDataException($"{file.Path}: missing '{key}'");
                    var t = file.Read(key);
                    if (!t.shape.SequenceEqual(p.shape)) throw new InvalidDataException($"{file.Path}: '{key}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", p.shape)}]");
                    p.copy_(t);
                }
            }
            Fill(head, "head.");
            if (encoder.Projection is { } proj) Fill(proj, "projection.");
        }
        return new TextClassifier(encoder, head, loaded.Tokenizer, labels, meta["max_length"]!.GetValue<int>());
    }
}

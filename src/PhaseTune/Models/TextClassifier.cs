using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>A trained classifier: sentence encoder (HF layout on disk) + head + labels. Saved as
/// DIR/{config.json, model.safetensors, tokenizer files, 1_Pooling, head.safetensors, labels.json}.</summary>
public sealed class TextClassifier(SentenceEncoder encoder, ClassificationHead head, ITokenizer tokenizer,
    IReadOnlyList<string> labels, int maxLength, string headActivation)
{
    public SentenceEncoder Encoder { get; } = encoder;
    public ClassificationHead Head { get; } = head;
    public ITokenizer Tokenizer { get; } = tokenizer;
    public IReadOnlyList<string> Labels { get; } = labels;
    public int MaxLength { get; } = maxLength;

    /// <summary>Class probabilities (N, C) for texts (or pairs), in eval mode, batched by length.</summary>
    public float[][] PredictProba(IReadOnlyList<(string A, string? B)> texts, int batchSize = 64)
    {
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].A.Length + (texts[i].B?.Length ?? 0)).ToArray();
        var result = new float[texts.Count][];
        Encoder.eval(); Head.eval();
        using var _ = no_grad();
        foreach (var chunk in order.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var t = TokenBatch.EncodePairs(Tokenizer, chunk.Select(i => texts[i]), MaxLength);
            var probs = Head.forward(Encoder.forward(t.Ids, t.Mask, t.Types)).softmax(1).contiguous().data<float>().ToArray();
            int c = Labels.Count;
            for (int r = 0; r < chunk.Length; r++) result[chunk[r]] = probs[(r * c)..((r + 1) * c)];
        }
        return result;
    }

    public int[] Predict(IReadOnlyList<(string A, string? B)> texts) =>
        PredictProba(texts).Select(p => Array.IndexOf(p, p.Max())).ToArray();

    public void Save(string directory, string? trainingConfigJson = null) => AtomicDirectory.Write(directory, tmp =>
    {
        ModelDirectory.WriteInto(tmp, Encoder.Encoder, Tokenizer, Encoder.Pooling);
        var extra = Head.named_parameters().Select(p => ("head." + p.name, (Tensor)p.parameter));
        if (Encoder.Projection is { } proj) extra = extra.Concat(proj.named_parameters().Select(p => ("projection." + p.name, (Tensor)p.parameter)));
        SafeTensorsFile.Save(Path.Combine(tmp, "head.safetensors"), extra);
        var meta = new JsonObject
        {
            ["labels"] = new JsonArray(Labels.Select(l => (JsonNode)l).ToArray()),
            ["max_length"] = MaxLength, ["pooling"] = Encoder.Pooling.ToString().ToLowerInvariant(),
            ["head_activation"] = headActivation, ["projection"] = Encoder.Projection is not null,
        };
        AtomicFile.WriteAllText(Path.Combine(tmp, "labels.json"), meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (trainingConfigJson is not null) AtomicFile.WriteAllText(Path.Combine(tmp, "training_config.json"), trainingConfigJson);
    });

    public static TextClassifier Load(string directory)
    {
        string labelsPath = Path.Combine(directory, "labels.json");
        if (!File.Exists(labelsPath)) throw new FileNotFoundException($"{directory}: not a PhaseTune classifier (no labels.json)");
        JsonObject meta;
        try { meta = JsonNode.Parse(File.ReadAllText(labelsPath))!.AsObject(); }
        catch (JsonException e) { throw new InvalidDataException($"{labelsPath}: invalid JSON ({e.Message})"); }
        var labels = meta["labels"]!.AsArray().Select(l => l!.GetValue<string>()).ToArray();
        var loaded = ModelDirectory.Load(directory);
        var encoder = new SentenceEncoder(loaded.Model, Pooling.Parse(meta["pooling"]!.GetValue<string>()));
        if (meta["projection"]?.GetValue<bool>() == true) encoder.AddProjection();
        string act = meta["head_activation"]!.GetValue<string>();
        var head = new ClassificationHead(loaded.Model.Config.HiddenSize, labels.Length, act);
        var file = SafeTensorsFile.Open(Path.Combine(directory, "head.safetensors"));
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
        return new TextClassifier(encoder, head, loaded.Tokenizer, labels, meta["max_length"]!.GetValue<int>(), act);
    }
}

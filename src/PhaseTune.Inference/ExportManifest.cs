using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;

namespace PhaseTune.Inference;

/// <summary>An export folder's export.json: what model.onnx takes and gives, and how texts become its inputs.</summary>
/// <param name="Kind">"classifier" (outputs probabilities and sentence_embedding) or "encoder" (sentence_embedding)</param>
/// <param name="Inputs">the graph's int64 (batch, sequence) inputs, of input_ids, attention_mask, token_type_ids</param>
/// <param name="Labels">a classifier's labels in output order; empty for an encoder</param>
/// <param name="Quantization">"none" or "int8"</param>
public sealed record ExportManifest(string Kind, string ModelFile, IReadOnlyList<string> Inputs, int MaxLength, int Dimension,
    IReadOnlyList<string> Labels, string Pooling, bool Normalize, string Quantization)
{
    public const string FileName = "export.json";

    public bool IsClassifier => Kind == "classifier";

    public static bool IsExportFolder(string folder) => File.Exists(Path.Combine(folder, FileName));

    public static ExportManifest Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{folder}: not an export folder (no {FileName}); make one with phasetune export");
        JsonObject o;
        try { o = JsonNode.Parse(File.ReadAllText(path), null, StrictJson.Document) as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message})"); }
        // a value of the wrong kind deep inside (a name that is a number, a null label) surfaces as one of these
        try { return Parse(folder, path, o); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentOutOfRangeException or NullReferenceException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"{path}: a value has the wrong type or shape ({e.Message})");
        }
    }

    static ExportManifest Parse(string folder, string path, JsonObject o)
    {

        T Get<T>(string key)
        {
            try { return o[key] is JsonNode n ? n.GetValue<T>() : throw new InvalidDataException($"{path}: '{key}' is missing"); }
            catch (Exception e) when (e is InvalidOperationException or FormatException) { throw new InvalidDataException($"{path}: '{key}' is not a {typeof(T).Name}"); }
        }
        List<string> Names(string key) => (o[key] as JsonArray ?? throw new InvalidDataException($"{path}: '{key}' is missing or not an array"))
            .Select((n, i) => (n as JsonObject)?["name"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: {key}[{i}] has no name")).ToList();

        if (Get<string>("format") is var format && format != "onnx") throw new InvalidDataException($"{path}: format '{format}', expected 'onnx'");
        string kind = Get<string>("kind");
        if (kind is not ("classifier" or "encoder")) throw new InvalidDataException($"{path}: kind '{kind}', expected classifier or encoder");
        var inputs = Names("inputs");
        foreach (var need in new[] { "input_ids", "attention_mask" })
            if (!inputs.Contains(need)) throw new InvalidDataException($"{path}: inputs lack '{need}'");
        if (inputs.Except(["input_ids", "attention_mask", "token_type_ids"]).FirstOrDefault() is string odd)
            throw new InvalidDataException($"{path}: unknown input '{odd}'");
        var outputs = o["outputs"] as JsonArray ?? throw new InvalidDataException($"{path}: 'outputs' is missing");
        var embedding = outputs.OfType<JsonObject>().FirstOrDefault(x => x["name"]?.GetValue<string>() == "sentence_embedding")
            ?? throw new InvalidDataException($"{path}: outputs lack 'sentence_embedding'");
        int dimension = embedding["shape"] is JsonArray { Count: 2 } shape ? shape[1]!.GetValue<int>() : throw new InvalidDataException($"{path}: sentence_embedding's shape is not [batch, size]");
        if (dimension < 1) throw new InvalidDataException($"{path}: sentence_embedding has size {dimension}");
        var labels = kind == "classifier"
            ? (o["labels"] as JsonArray ?? throw new InvalidDataException($"{path}: a classifier needs 'labels'")).Select(n => n!.GetValue<string>()).ToList()
            : [];
        if (kind == "classifier" && labels.Count < 2) throw new InvalidDataException($"{path}: a classifier needs at least two labels");
        int maxLength = Get<int>("max_length");
        if (maxLength < 2) throw new InvalidDataException($"{path}: max_length {maxLength} is too small");
        string file = Get<string>("file");
        var model = new SandboxedFolder(folder).File(file, path);
        if (!File.Exists(model)) throw new FileNotFoundException($"{path}: names '{file}', which is not in the folder");
        string quantization = o["quantization"]?.GetValue<string>() ?? "none";
        if (quantization is not ("none" or "int8")) throw new InvalidDataException($"{path}: quantization '{quantization}', expected none or int8");
        return new ExportManifest(kind, model, inputs, maxLength, dimension, labels, Get<string>("pooling"), Get<bool>("normalize"), quantization);
    }
}

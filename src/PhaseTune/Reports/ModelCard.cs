using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Hub;
using PhaseTune.IO;

namespace PhaseTune.Reports;

/// <summary>The model card (README.md in a saved model folder, Hugging Face's format: YAML front matter with
/// library_name, pipeline_tag, tags, base_model, datasets, metrics and a model-index, then the recipe and results),
/// made only from a finished run's files (metrics.json, model/training_config.json, model/config.json), so
/// `phasetune report` can write it again without training.</summary>
public static class ModelCard
{
    public const string FileName = "README.md";

    /// <summary>Writes RUN_DIR/model/README.md from the run's files, showing <paramref name="plots"/> (PNG paths, e.g.
    /// what <see cref="RunPlots.Write"/> returned), copied into the model folder's plots/.</summary>
    public static string Write(string runDir, IReadOnlyList<string> plots)
    {
        JsonObject Read(params string[] parts)
        {
            string path = Path.Combine([runDir, .. parts]);
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found; is {runDir} a finished train run?");
            try { return JsonNode.Parse(File.ReadAllText(path), null, StrictJson.Document)!.AsObject(); }
            catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message})"); }
        }
        // the run's plots travel with the model folder, so the card shows them wherever the folder goes
        var shown = new List<string>();
        string copies = Path.Combine(runDir, "model", RunPlots.Folder);
        foreach (var png in plots.Where(p => p.EndsWith(".png")).Order(StringComparer.Ordinal))
        {
            Directory.CreateDirectory(copies);
            var bytes = File.ReadAllBytes(png);
            AtomicFile.Write(Path.Combine(copies, Path.GetFileName(png)), s => s.Write(bytes));
            shown.Add(Path.GetFileName(png));
        }
        var card = Render(Read("metrics.json"), Read("model", "training_config.json"), Read("model", "config.json"), shown);
        string target = Path.Combine(runDir, "model", FileName);
        AtomicFile.WriteAllText(target, card);
        return target;
    }

    /// <param name="plots">file names in the model folder's plots/ to show</param>
    public static string Render(JsonObject metrics, JsonObject training, JsonObject encoder, IReadOnlyList<string>? plots = null)
    {
        plots ??= [];
        void Images(StringBuilder sb, Func<string, bool> which, Func<string, int>? order = null)
        {
            var chosen = plots.Where(which).OrderBy(order ?? (_ => 0)).ToList();
            if (chosen.Count == 0) return;
            sb.AppendLine();
            foreach (var p in chosen) sb.AppendLine($"![{Path.GetFileNameWithoutExtension(p)}]({RunPlots.Folder}/{p})");
        }
        var inv = CultureInfo.InvariantCulture;
        // a JSON string is a YAML double-quoted scalar; relaxed escaping keeps "+" and non-ASCII labels readable
        string Q(string s) => JsonSerializer.Serialize(s, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        string Pct(JsonNode? v) => v is null ? "–" : (v.GetValue<double>() * 100).ToString("F2", inv);
        var phases = training["phases"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        string? baseModel = metrics["base_model"]?.GetValue<string>();
        string? dataset = metrics["dataset"]?.GetValue<string>();
        var result = metrics["test"] as JsonObject ?? metrics["dev"]!.AsObject();
        string split = metrics["test"] is JsonObject ? "test" : "dev";
        string modelType = encoder["model_type"]?.GetValue<string>() ?? "bert";

        var sb = new StringBuilder();
        sb.AppendLine("---");
        sb.AppendLine("library_name: phasetune");
        sb.AppendLine("pipeline_tag: text-classification");
        sb.AppendLine("tags:");
        foreach (var t in new[] { "phasetune", "text-classification", modelType, string.Join("+", phases) }) sb.AppendLine($"- {Q(t)}");
        // a Hub model is named by its repository id, as the Hub links base models; a folder by its name
        if (baseModel is not null && !baseModel.StartsWith("scratch:"))
            sb.AppendLine($"base_model: {Q(!Path.Exists(baseModel) && HubModelName.TryParse(baseModel, out var hub) ? hub.Repo : Path.GetFileName(Path.TrimEndingDirectorySeparator(baseModel)))}");
        if (dataset is not null) sb.AppendLine($"datasets:\n- {Q(dataset)}");
        sb.AppendLine("metrics:\n- accuracy\n- f1");
        sb.AppendLine("model-index:");
        sb.AppendLine($"- name: {Q($"phasetune-{string.Join("+", phases)}{(dataset is null ? "" : "-" + dataset)}")}");
        sb.AppendLine("  results:");
        sb.AppendLine("  - task:\n      type: text-classification");
        sb.AppendLine($"    dataset:\n      name: {Q(dataset ?? "unknown")}\n      type: {Q(dataset ?? "unknown")}\n      split: {split}");
        sb.AppendLine("    metrics:");
        sb.AppendLine($"    - type: accuracy\n      value: {result["accuracy"]!.GetValue<double>().ToString("R", inv)}");
        sb.AppendLine($"    - type: f1\n      name: macro F1\n      value: {result["macro_f1"]!.GetValue<double>().ToString("R", inv)}");
        sb.AppendLine("---");
        sb.AppendLine();
        sb.AppendLine($"# PhaseTune text classifier: {string.Join(" → ", phases)}{(dataset is null ? "" : $" on {dataset}")}");
        sb.AppendLine();
        sb.AppendLine($"Trained with PhaseTune ({string.Join(" → ", phases)}) from " +
            (baseModel is null ? "an encoder" : baseModel.StartsWith("scratch:") ? $"a randomly initialised encoder ({baseModel})" : $"`{baseModel}`") +
            $": {modelType}, {encoder["num_hidden_layers"]} layers, hidden size {encoder["hidden_size"]}, {encoder["num_attention_heads"]} heads, " +
            $"{training["pooling"]} pooling, texts cut to {training["max_length"]} tokens; {metrics["labels"]} labels, {metrics["train_examples"]} training examples" +
            (metrics["dev_was_split_from_train"]?.GetValue<bool>() == true ? " (dev split from them)." : "."));
        sb.AppendLine();
        sb.AppendLine("## Results");
        sb.AppendLine();
        sb.AppendLine("| split | examples | accuracy | macro F1 | macro precision | macro recall |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in new[] { "dev", "test" })
            if (metrics[s] is JsonObject m)
                sb.AppendLine($"| {s} | {m["count"]} | {Pct(m["accuracy"])} | {Pct(m["macro_f1"])} | {Pct(m["macro_precision"])} | {Pct(m["macro_recall"])} |");
        if (result["per_class"] is JsonObject perClass)
        {
            sb.AppendLine();
            sb.AppendLine($"Per class ({split}):");
            sb.AppendLine();
            sb.AppendLine("| label | precision | recall | F1 | support |");
            sb.AppendLine("|---|---|---|---|---|");
            foreach (var (label, c) in perClass)
                sb.AppendLine($"| {label} | {Pct(c!["precision"])} | {Pct(c["recall"])} | {Pct(c["f1"])} | {c["support"]} |");
        }
        Images(sb, p => p is "confusion.png" or "dev.png");
        if (metrics["cluster_quality"] is JsonObject quality && quality.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("How the dev set's sentence embeddings cluster by label where training started and after each phase (cosine " +
                "silhouette, higher is better; mean distance within a class ÷ between classes, lower is better):");
            sb.AppendLine();
            sb.AppendLine("| after | silhouette | intra ÷ inter distance |");
            sb.AppendLine("|---|---|---|");
            foreach (var (phase, q) in quality)
                sb.AppendLine(q is null ? $"| {phase} | – | – |"
                    : $"| {phase} | {q["silhouette_cosine"]!.GetValue<double>().ToString("F3", inv)} | {q["intra_inter_distance_ratio"]?.GetValue<double>().ToString("F3", inv) ?? "–"} |");
        }
        // the maps in the order measured: start, then each phase
        var measured = (metrics["cluster_quality"] as JsonObject)?.Select(kv => $"embeddings-{kv.Key}.png").ToList() ?? [];
        Images(sb, p => p.StartsWith("embeddings-"), p => measured.IndexOf(p) is var i && i >= 0 ? i : int.MaxValue);
        sb.AppendLine();
        sb.AppendLine("## Training");
        sb.AppendLine();
        sb.AppendLine("| phase | seconds | examples per epoch | settings |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var p in phases)
        {
            string settings = training[p] is JsonObject pc
                ? string.Join(", ", pc.Where(kv => kv.Value is JsonValue).Select(kv => $"{kv.Key} {kv.Value!.ToJsonString().Trim('"')}"))
                : "";
            sb.AppendLine($"| {p} | {metrics["phase_seconds"]?[p]?.GetValue<double>().ToString("F0", inv) ?? "–"} | {metrics["phase_examples"]?[p]?.ToString() ?? "–"} | {settings} |");
        }
        if (metrics["dev_history"] is JsonArray history && history.Count > 0)
            sb.AppendLine($"\nFine-tuning dev {training["ft"]?["metric"]?.GetValue<string>() ?? "accuracy"} per epoch: " +
                string.Join(", ", history.Select(h => Pct(h))) + $"; weights of epoch {metrics["best_epoch"]} kept.");
        Images(sb, p => p.StartsWith("loss-"));
        sb.AppendLine($"\nSeed {training["seed"]}, batch size {training["batch_size"]}, preset `{training["preset"]}`; the whole resolved configuration is in `training_config.json`.");
        sb.AppendLine();
        sb.AppendLine("## Use");
        sb.AppendLine();
        sb.AppendLine("    phasetune predict --model MODEL_DIR --input texts.txt --output predictions.jsonl");
        sb.AppendLine("    phasetune export --model MODEL_DIR --out DEPLOY [--quantize int8]   # ONNX, for PhaseTune.Inference or any ONNX runtime");
        return sb.ToString();
    }
}

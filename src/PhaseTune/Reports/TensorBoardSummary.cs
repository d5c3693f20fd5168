using System.Text.Json.Nodes;
using PhaseTune.IO;
using PhaseTune.Training;

namespace PhaseTune.Reports;

/// <summary>A finished run's results as TensorBoard scalars, from its metrics.json: fine-tuning's dev score per
/// epoch (dev/score), dev and test accuracy and macro F1, and the dev silhouette where the run starts and after each
/// phase (dev/silhouette, step = its position; the phase names are in metrics.json).</summary>
public static class TensorBoardSummary
{
    public static void Write(TensorBoardObserver board, string runDir)
    {
        string path = Path.Combine(runDir, "metrics.json");
        if (!File.Exists(path)) return;
        var metrics = JsonNode.Parse(File.ReadAllText(path), null, StrictJson.Document)!.AsObject();
        if (metrics["dev_history"] is JsonArray history)
            for (int e = 0; e < history.Count; e++)
                if (history[e] is JsonValue v && v.TryGetValue<double>(out var score)) board.Scalar("dev/score", score, e + 1);
        foreach (var split in new[] { "dev", "test" })
            if (metrics[split] is JsonObject m && m["accuracy"] is JsonValue)
            {
                board.Scalar($"{split}/accuracy", m["accuracy"]!.GetValue<double>(), 0);
                board.Scalar($"{split}/macro_f1", m["macro_f1"]!.GetValue<double>(), 0);
            }
        if (metrics["cluster_quality"] is JsonObject quality)
        {
            int i = 0;
            foreach (var (_, q) in quality)
            {
                if (q?["silhouette_cosine"] is JsonValue s) board.Scalar("dev/silhouette", s.GetValue<double>(), i);
                i++;
            }
        }
    }
}

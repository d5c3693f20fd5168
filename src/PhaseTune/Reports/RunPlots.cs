using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Evaluation;
using PhaseTune.IO;
using ScottPlot;

namespace PhaseTune.Reports;

/// <summary>A finished run's plots, from its files alone (log.jsonl, metrics.json, embeddings/*.csv), as PNGs in
/// DIR/plots: loss and learning rate against steps per phase, fine-tuning's dev metric per epoch, the confusion
/// matrix, and the dev set's 2-D map (PCA) where the run starts and after each phase, coloured by label.</summary>
public static class RunPlots
{
    public const string Folder = "plots";

    /// <returns>the files written</returns>
    public static List<string> Write(string runDir)
    {
        string plots = Path.Combine(runDir, Folder);
        Directory.CreateDirectory(plots);
        var written = new List<string>();
        void Save(Plot plot, string name, int width, int height) => written.Add(SavePng(plot, Path.Combine(plots, name), width, height));

        string log = Path.Combine(runDir, "log.jsonl");
        if (File.Exists(log))
            foreach (var (phase, rows) in ReadLog(log))
                Save(Loss(phase, rows), $"loss-{phase}.png", 640, 400);

        string metricsPath = Path.Combine(runDir, "metrics.json");
        var metrics = File.Exists(metricsPath) ? JsonNode.Parse(File.ReadAllText(metricsPath), null, StrictJson.Document)!.AsObject() : null;
        if (metrics?["dev_history"] is JsonArray history && history.Count > 0 && history.All(h => h is JsonValue v && v.TryGetValue<double>(out _)))
            Save(DevHistory(history.Select(h => h!.GetValue<double>()).ToArray(), metrics["best_epoch"]?.GetValue<int>()), "dev.png", 640, 400);
        if ((metrics?["test"] ?? metrics?["dev"]) is JsonObject scores && scores["confusion_matrix"] is JsonArray)
        {
            var (matrix, labels) = Confusion(scores);
            int size = Math.Clamp(200 + 28 * labels.Count, 480, 2600);
            Save(ConfusionPlot(matrix, labels, metrics!["test"] is JsonObject ? "test" : "dev"), "confusion.png", size + 120, size + 7 * labels.Max(l => l.Length));
        }
        string maps = Path.Combine(runDir, "embeddings");
        if (Directory.Exists(maps))
        {
            // the maps metrics.json's cluster_quality lists, in the order measured (all, by name, without metrics)
            var order = (metrics?["cluster_quality"] as JsonObject)?.Select(kv => kv.Key).ToList();
            var files = Directory.GetFiles(maps, "*.csv").Where(f => order is null || order.Contains(Path.GetFileNameWithoutExtension(f)))
                .OrderBy(f => order?.IndexOf(Path.GetFileNameWithoutExtension(f)) ?? 0).ThenBy(f => f, StringComparer.Ordinal);
            foreach (var file in files)
            {
                string phase = Path.GetFileNameWithoutExtension(file);
                var q = ClusterQuality.FromJson(metrics?["cluster_quality"]?[phase]);
                Save(Map(EmbeddingMap.Read(file), phase, q), $"embeddings-{phase}.png", 720, 560);
            }
        }
        return written;
    }

    /// <summary>Renders <paramref name="plot"/> to a PNG written whole or not at all; returns the path.</summary>
    internal static string SavePng(Plot plot, string path, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var bytes = plot.GetImage(width, height).GetImageBytes(ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes));
        return path;
    }

    /// <summary>log.jsonl's step lines per phase, in file order: (step, loss, lr).</summary>
    static List<(string Phase, List<(double Step, double Loss, double Lr)> Rows)> ReadLog(string path)
    {
        var phases = new List<(string, List<(double, double, double)>)>();
        foreach (var (line, i) in File.ReadLines(path).Select((l, i) => (l, i)))
        {
            if (line.Trim().Length == 0) continue;
            JsonNode n;
            try { n = JsonNode.Parse(line)!; }
            catch (JsonException e) { throw new InvalidDataException($"{path}:{i + 1}: invalid JSON ({e.Message})"); }
            if (n["phase"]?.GetValue<string>() is not string phase || n["step"] is null || n["loss"] is null) continue;
            if (phases.Count == 0 || phases[^1].Item1 != phase) phases.Add((phase, []));
            phases[^1].Item2.Add((n["step"]!.GetValue<double>(), n["loss"]!.GetValue<double>(), n["lr"]?.GetValue<double>() ?? double.NaN));
        }
        return phases;
    }

    static Plot Loss(string phase, List<(double Step, double Loss, double Lr)> rows)
    {
        var plot = new Plot();
        var loss = plot.Add.Scatter(rows.Select(r => r.Step).ToArray(), rows.Select(r => r.Loss).ToArray());
        loss.LegendText = "loss";
        loss.MarkerSize = 0;
        if (rows.All(r => !double.IsNaN(r.Lr)))
        {
            var lr = plot.Add.Scatter(rows.Select(r => r.Step).ToArray(), rows.Select(r => r.Lr).ToArray());
            lr.Axes.YAxis = plot.Axes.Right;
            lr.LegendText = "learning rate";
            lr.MarkerSize = 0;
            lr.LinePattern = LinePattern.Dashed;
            plot.Axes.Right.Label.Text = "learning rate";
            // from 0, so a constant rate is a visible line, not the middle of an empty range
            double top = rows.Max(r => r.Lr);
            plot.Axes.SetLimitsY(0, top > 0 ? top * 1.15 : 1, plot.Axes.Right);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title($"{phase}: training loss");
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    static Plot DevHistory(double[] history, int? bestEpoch)
    {
        var plot = new Plot();
        var epochs = Enumerable.Range(1, history.Length).Select(e => (double)e).ToArray();
        plot.Add.Scatter(epochs, history.Select(h => h * 100).ToArray());
        if (bestEpoch is int best && best >= 1 && best <= history.Length)
        {
            var marker = plot.Add.Marker(best, history[best - 1] * 100);
            marker.MarkerSize = 12;
            marker.LegendText = $"kept: epoch {best}";
            plot.ShowLegend(Alignment.LowerRight);
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title("fine-tuning: dev score per epoch");
        plot.XLabel("epoch");
        plot.YLabel("dev score (%)");
        return plot;
    }

    /// <summary>The confusion matrix as plotted: rows true labels, columns predictions, metrics.json's counts.</summary>
    public static (double[,] Counts, IReadOnlyList<string> Labels) Confusion(JsonObject scores)
    {
        var labels = scores["labels"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
        var rows = scores["confusion_matrix"]!.AsArray();
        var m = new double[labels.Count, labels.Count];
        for (int r = 0; r < labels.Count; r++)
            for (int c = 0; c < labels.Count; c++) m[r, c] = rows[r]![c]!.GetValue<double>();
        return (m, labels);
    }

    static Plot ConfusionPlot(double[,] m, IReadOnlyList<string> labels, string split)
    {
        int k = labels.Count;
        var plot = new Plot();
        var heat = plot.Add.Heatmap(m);   // row 0 on top: the first label reads first, as in a table
        heat.Colormap = new ScottPlot.Colormaps.Viridis();
        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, labels.ToArray());
        plot.Axes.Left.SetTicks(positions.Select(p => k - 1 - p).ToArray(), labels.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 60;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        // room for the rotated labels below the matrix
        plot.Axes.Bottom.MinimumSize = 40 + 6.5f * labels.Max(l => l.Length);
        double max = m.Cast<double>().Max();
        if (k <= 25)
            for (int r = 0; r < k; r++)
                for (int c = 0; c < k; c++)
                {
                    var t = plot.Add.Text(m[r, c].ToString("0"), c, k - 1 - r);
                    t.LabelAlignment = Alignment.MiddleCenter;
                    t.LabelFontColor = m[r, c] > 0.6 * max ? Colors.Black : Colors.White;
                }
        plot.Add.ColorBar(heat);
        plot.Title($"confusion matrix ({split})");
        plot.XLabel("predicted");
        plot.YLabel("true");
        return plot;
    }

    static Plot Map(List<(double X, double Y, string Label)> points, string phase, ClusterQuality? q)
    {
        var plot = new Plot();
        var labels = points.Select(p => p.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var palette = new ScottPlot.Palettes.Category20();
        for (int i = 0; i < labels.Count; i++)
        {
            var mine = points.Where(p => p.Label == labels[i]).ToArray();
            var s = plot.Add.ScatterPoints(mine.Select(p => p.X).ToArray(), mine.Select(p => p.Y).ToArray(), palette.GetColor(i));
            s.MarkerSize = 4;
            if (labels.Count <= 20) s.LegendText = labels[i];
        }
        if (labels.Count <= 20) plot.ShowLegend(Alignment.UpperRight);
        plot.Title($"dev embeddings after {phase} (PCA)" + (q is null ? "" : $": silhouette {q.Silhouette:F3}"));
        plot.XLabel("principal component 1");
        plot.YLabel("principal component 2");
        return plot;
    }
}

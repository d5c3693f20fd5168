using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;
using PhaseTune.MultiTask;
using PhaseTune.Training;

namespace PhaseTune.Runs;

/// <summary>Reproduces a report's results table of multi-task rows (`phasetune reproduce cs224n`): every row's config,
/// scaled to the machine (<see cref="Cs224nScale"/>), runs into DIR/NN; DIR/table.md lays our train and dev
/// scores out as the report does, the report's beside ours, with a majority-class / constant baseline on the same
/// data; DIR/table.json holds the numbers. A row whose folder already holds the same command's metrics is not run again.</summary>
public static class MultiTaskReproduction
{
    /// <summary>The entries of its output folder a reproduction writes or replaces (one folder per row).</summary>
    public static string[] Writes(Cs224nTable table) => [.. table.Rows.Select(r => RowFolder(r.Exp)), "table.md", "table.json"];

    static string RowFolder(int exp) => exp.ToString("00", CultureInfo.InvariantCulture);

    /// <param name="tablePath">examples/cs224n/table3.toml</param>
    /// <param name="model">the encoder (null: the scale's); paths under "shared/" are taken from the repository's ../shared</param>
    /// <param name="lr">one learning rate for every row (null: the report's)</param>
    /// <param name="pretrainData">the rows' pre-training data (NLI triplets for SimCSE), null: each row's own</param>
    public static IReadOnlyList<Cs224nStep> Plan(string tablePath, Cs224nTable table, Cs224nScale scale, string outDir,
        string? model = null, string? vocab = null, double? lr = null, string? pretrainData = null)
    {
        string shared = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tablePath))!, "..", "..", ".."));
        string Resolve(string m) => m.StartsWith("shared/") ? Path.Combine(shared, m) : m;
        string encoder = Resolve(model ?? scale.Model);
        string? vocabulary = vocab ?? (encoder.StartsWith("scratch:") ? Resolve("shared/models/bert-base-uncased/vocab.txt") : null);
        return table.Rows.Select(r =>
        {
            var c = MultiTaskConfig.Load(r.Config);
            int? epochs = scale.EpochCap is int cap && c.Epochs > cap ? cap : null;
            c = c.Override(encoder, vocabulary, epochs, scale.MaxLength, lr, c.Pretrain == "none" ? null : pretrainData);
            string folder = Path.Combine(outDir, RowFolder(r.Exp));
            var cmd = new List<string> { "phasetune", "multitask", "--config", Path.GetRelativePath(Directory.GetCurrentDirectory(), r.Config), "--out", folder, "--model", encoder };
            if (vocabulary is not null) cmd.AddRange(["--vocab", vocabulary]);
            if (epochs is int e) cmd.AddRange(["--epochs", e.ToString(CultureInfo.InvariantCulture)]);
            if (scale.MaxLength is int l) cmd.AddRange(["--max-length", l.ToString(CultureInfo.InvariantCulture)]);
            if (lr is double rate) cmd.AddRange(["--lr", rate.ToString("R", CultureInfo.InvariantCulture)]);
            if (c.Pretrain != "none" && pretrainData is not null) cmd.AddRange(["--pretrain-data", pretrainData]);
            if (scale.LimitPerTask is int n) cmd.AddRange(["--limit-per-task", n.ToString(CultureInfo.InvariantCulture)]);
            if (scale.MaxSteps is int s) cmd.AddRange(["--max-steps", s.ToString(CultureInfo.InvariantCulture)]);
            return new Cs224nStep(r, c, folder, string.Join(' ', cmd.Select(Quote)));
        }).ToList();
    }

    static string Quote(string arg) => arg.Any(ch => char.IsWhiteSpace(ch) || ch is '"' or '\'' or '$') ? "'" + arg.Replace("'", "'\\''") + "'" : arg;

    /// <summary>Runs every step (or reuses its finished folder) and writes DIR/table.md and DIR/table.json.</summary>
    /// <returns>the Markdown table</returns>
    public static string Run(Cs224nTable table, IReadOnlyList<Cs224nStep> steps, Cs224nScale scale, string outDir, ITrainingObserver? observer = null)
    {
        observer ??= SilentObserver.Instance;
        Directory.CreateDirectory(outDir);
        var results = new List<(Cs224nRow Row, JsonObject Metrics)>();
        foreach (var (step, i) in steps.Select((s, i) => (s, i)))
        {
            string stamp = Path.Combine(step.Folder, "reproduction.json"), metricsPath = Path.Combine(step.Folder, "metrics.json");
            JsonObject metrics;
            if (File.Exists(stamp) && File.Exists(metricsPath) && File.ReadAllText(stamp) == Stamp(step))
            {
                observer.Message($"row {step.Row.Exp} ({i + 1}/{steps.Count}), {step.Row.Method}: done before, reusing {metricsPath}");
                metrics = JsonNode.Parse(File.ReadAllText(metricsPath))!.AsObject();
            }
            else
            {
                observer.Message($"row {step.Row.Exp} ({i + 1}/{steps.Count}), {step.Row.Method}: {step.Command}");
                metrics = MultiTaskRun.Run(step.Config, step.Folder, observer, scale.MaxSteps, scale.LimitPerTask);
                AtomicFile.WriteAllText(stamp, Stamp(step));
            }
            results.Add((step.Row, metrics));
        }
        var baseline = Baseline(table, steps[0].Config, scale);
        string md = Markdown(table, steps, scale, results, baseline);
        var json = new JsonObject
        {
            ["scale"] = scale.Name, ["model"] = steps[0].Config.Model, ["columns"] = new JsonArray(table.Columns.Select(c => (JsonNode)c).ToArray()),
            ["rows"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
            {
                ["exp"] = r.Row.Exp, ["method"] = r.Row.Method, ["report"] = new JsonArray(r.Row.Report.Select(v => (JsonNode)v).ToArray()),
                ["ours"] = new JsonArray(Ours(table, r.Metrics).Select(v => (JsonNode?)v).ToArray()),
                ["test"] = new JsonArray(Test(table, r.Metrics).Select(v => (JsonNode?)v).ToArray()),
            }).ToArray()),
            ["baseline"] = new JsonArray(baseline.Select(v => (JsonNode)v).ToArray()),
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "table.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AtomicFile.WriteAllText(Path.Combine(outDir, "table.md"), md);
        return md;
    }

    static string Stamp(Cs224nStep s) => s.Config.ToJson() + "\n" + s.Command;

    static double? Score(JsonObject metrics, string split, string task) => metrics[split]?[task]?["score"]?.GetValue<double>();

    /// <summary>train, dev per column, then the mean of the dev scores (null where the run has no such score).</summary>
    static double?[] Ours(Cs224nTable t, JsonObject m)
    {
        var cells = t.Columns.SelectMany(c => new[] { Score(m, "train", c), Score(m, "dev", c) }).ToList();
        var dev = t.Columns.Select(c => Score(m, "dev", c)).ToList();
        cells.Add(dev.All(d => d is not null) ? dev.Average() : null);
        return cells.ToArray();
    }

    static double?[] Test(Cs224nTable t, JsonObject m)
    {
        var test = t.Columns.Select(c => Score(m, "test", c)).ToList();
        return [.. test, test.All(d => d is not null) ? test.Average() : null];
    }

    /// <summary>The majority class of train (accuracy on train and dev) and, for a regression task, a constant
    /// prediction, whose Pearson correlation is undefined and counted as 0; on the rows' data at this scale.</summary>
    static double[] Baseline(Cs224nTable t, MultiTaskConfig c, Cs224nScale scale)
    {
        var cells = new List<double>();
        var dev = new List<double>();
        foreach (var name in t.Columns)
        {
            var task = TaskData.Load(c.Tasks.Single(x => x.Name == name), c.Seed, scale.LimitPerTask);
            if (task.Config.Kind == TaskKind.PairRegression) { cells.AddRange([0, 0]); dev.Add(0); continue; }
            string majority = task.Train.GroupBy(e => e.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
            double Accuracy(List<Data.Example> xs) => xs.Count(e => e.Label == majority) / (double)xs.Count;
            cells.AddRange([Accuracy(task.Train), Accuracy(task.Dev)]);
            dev.Add(Accuracy(task.Dev));
        }
        cells.Add(dev.Average());
        return cells.ToArray();
    }

    static string Cell(double? v) => v is double d ? d.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    static string Markdown(Cs224nTable t, IReadOnlyList<Cs224nStep> steps, Cs224nScale scale,
        List<(Cs224nRow Row, JsonObject Metrics)> results, double[] baseline)
    {
        var c = steps[0].Config;
        bool scratch = c.Model.StartsWith("scratch:");
        var sb = new StringBuilder();
        sb.AppendLine($"# Table 3, reproduced: scale {scale.Name}, encoder {c.Model}{(scratch ? " (randomly initialised: from-scratch numbers, compare them with the majority-class row, not with the report's BERT-base)" : "")}");
        sb.AppendLine();
        sb.AppendLine(scale.LimitPerTask is int n
            ? $"At most {n} examples per split of each task{(scale.MaxSteps is int s ? $", {s} optimiser steps per epoch" : "")}{(scale.EpochCap is int e ? $", at most {e} epoch(s)" : "")}."
            : "All the data here (Quora: the 20,212 labelled CS224N dev pairs, split 80/10/10; the report trained on 141,506).");
        sb.AppendLine("Dev: SST-5's dev split; 10 % of the CS224N STS train split; 10 % of the Quora pairs. Test: SST-5's test split, the CS224N STS dev split, 10 % of the Quora pairs.");
        sb.AppendLine();
        string Header(string col) => col switch { "sst5" => "SST", "stsb" => "STS", "quora" => "QQP", _ => col };
        sb.AppendLine("| Exp | Method | | " + string.Join(" | ", t.Columns.SelectMany(col => new[] { $"{Header(col)} train", $"{Header(col)} dev" })) + " | Average |");
        sb.AppendLine("|---|---|---|" + string.Concat(Enumerable.Repeat("---|", 2 * t.Columns.Length + 1)));
        foreach (var (row, metrics) in results)
        {
            sb.AppendLine($"| {row.Exp} | {row.Method} | report | " + string.Join(" | ", row.Report.Select(v => Cell(v))) + " |");
            sb.AppendLine($"| | | ours | " + string.Join(" | ", Ours(t, metrics).Select(Cell)) + " |");
        }
        sb.AppendLine($"| – | majority class / constant | ours | " + string.Join(" | ", baseline.Select(v => Cell(v))) + " |");
        if (t.TestRow is int testRow && results.FirstOrDefault(r => r.Row.Exp == testRow) is { Metrics: not null } final)
        {
            string Row(IEnumerable<double?> dev) => string.Join(" | ", dev.Take(t.Columns.Length).Select(v => $"N/A | {Cell(v)}")) + $" | {Cell(dev.Last())}";
            sb.AppendLine($"| Test set | row {testRow} | report | " + Row(t.TestReport.Select(v => (double?)v)) + " |");
            sb.AppendLine($"| | | ours | " + Row(Test(t, final.Metrics)) + " |");
        }
        sb.AppendLine();
        sb.AppendLine("SST and QQP: accuracy; STS: Pearson correlation (a constant prediction has none; counted as 0). Average: the mean of the three dev scores.");
        return sb.ToString();
    }
}

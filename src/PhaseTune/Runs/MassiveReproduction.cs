using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.Evaluation;
using PhaseTune.IO;
using PhaseTune.Phases;
using PhaseTune.Training;

namespace PhaseTune.Runs;

/// <summary>`phasetune reproduce massive`: every row of Table 7 (and Table 8's contrastive losses) of the MASSIVE report
/// ("A Deep Dive into BERT and Contrastive Learning", ../shared/papers/003_…) as one `train` run per row, each from its
/// config in examples/massive/, at a <see cref="MassiveScale"/>; then DIR/results.md, laid out like the report's
/// tables with its numbers beside ours and the majority-class baseline, and DIR/results.json. A finished row (its
/// metrics.json, with the same resolved config and model) is not run again; a killed row resumes.</summary>
public static class MassiveReproduction
{
    /// <summary>Table 7 of the report, its test loss and accuracy as printed; rows 6 and 7 also carry Table 8.</summary>
    public static readonly IReadOnlyList<MassiveRow> Rows =
    [
        new(1, "Test set before fine-tuning", "1-before-finetuning.toml", 0.0166073, 0.0097512),
        new(2, "Test set after fine-tuning", "2-finetune.toml", 0.0641283, 0.8493611),
        new(3, "Test set with <Layer-wise Learning Rate Decay>", "3-llrd.toml", 0.0665530, 0.8117014),
        new(4, "Test set with <Warmup Steps>", "4-warmup.toml", 0.0595268, 0.8540686),
        new(5, "Test set with <LLRD and Warmup Steps>", "5-llrd-warmup.toml", 0.0645733, 0.8823134),
        new(6, "Test set with SupContrast", "6-supcon.toml", 0.0106450, 0.8739072, 285.7891606),
        new(7, "Test set with SimCLR", "7-simclr.toml", 0.0030572, 0.8074916, 119.4280379),
    ];

    /// <summary>Test examples the report scored (MASSIVE en-US test).</summary>
    public const int ReportTestCount = 2974;

    /// <summary>Seed of the data slices, fixed so that every row of a scale reads the same examples.</summary>
    const int SliceSeed = 1;

    /// <summary>The encoder a scale runs when none is given: a from-scratch tiny BERT (smoke), the pretrained
    /// bert-mini stand-in (small), the report's bert-base-uncased from the Hub (full).</summary>
    public static string DefaultModel(MassiveScale scale, string shared) => scale.Name switch
    {
        "smoke" => "scratch:tiny",
        "small" => Path.Combine(shared, "models", "bert-mini-standin"),
        _ => "google-bert/bert-base-uncased",
    };

    /// <summary>One row's `train` run: where it reads and writes and the flags on top of its config.</summary>
    public sealed record Step(MassiveRow Row, string Data, string Config, string Out, IReadOnlyList<(string Flag, string Value)> Flags)
    {
        /// <summary>The same run as a `phasetune train` command line.</summary>
        public string Command(string model, string? vocab)
        {
            var args = new List<string> { "phasetune", "train", "--data", Data, "--model", model };
            if (vocab is not null) args.AddRange(["--vocab", vocab]);
            args.AddRange(["--config", Config, "--out", Out]);
            foreach (var (flag, value) in Flags) args.AddRange([flag, value]);
            return string.Join(' ', args.Select(a => a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./:=,@+".Contains(c)) ? a : $"'{a.Replace("'", "'\\''")}'"));
        }

        public IEnumerable<ConfigOverride> Overrides() => Flags.SelectMany(f => ConfigOptions.Run.Single(o => o.Flag == f.Flag).Overrides(f.Value));
    }

    /// <param name="data">the MASSIVE folder (train, dev, test)</param>
    /// <param name="examples">the folder of the row configs (examples/massive)</param>
    public static IReadOnlyList<Step> Plan(string data, string examples, MassiveScale scale, string outDir, int threads = 0)
    {
        string rowData = scale.Slices ? Path.Combine(outDir, "data") : data;
        return Rows.Select(row =>
        {
            string config = Path.Combine(examples, row.Config);
            if (!File.Exists(config)) throw new FileNotFoundException($"{config}: the config of Table 7's row {row.Index} is missing (--examples names the folder)");
            var flags = new List<(string, string)>();
            if (scale.Epochs is int cap)
            {
                var file = ConfigFile.Read(config);
                var defaults = new TrainConfig();
                int ft = Math.Min(cap, Int(file["ft"]?["max_epochs"]) ?? defaults.Ft.MaxEpochs);
                flags.AddRange([("--ft-epochs", Text(ft)), ("--min-epochs", Text(ft)), ("--patience", Text(Math.Max(1, ft)))]);
                if (file["pretrain"] is JsonObject)
                    flags.Add(("--pretrain-epochs", Text(Math.Min(cap, Int(file["pretrain"]!["epochs"]) ?? defaults.Pretrain.Epochs))));
            }
            if (scale.MaxLength is int length) flags.Add(("--max-length", Text(length)));
            if (threads > 0) flags.Add(("--threads", Text(threads)));
            return new Step(row, rowData, config, Path.Combine(outDir, row.Slug), flags);
        }).ToList();
    }

    /// <summary>A whole number of a config file (TOML's are 64-bit).</summary>
    static int? Int(JsonNode? n) => n?.Deserialize<int>();

    static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs every row (a finished one is read back), then writes DIR/results.md and DIR/results.json.</summary>
    public static JsonObject Run(string data, string examples, string model, string? vocab, MassiveScale scale, string outDir,
        ITrainingObserver? observer = null, int threads = 0)
    {
        observer ??= SilentObserver.Instance;
        var plan = Plan(data, examples, scale, outDir, threads);
        if (scale.Slices) WriteSlices(data, scale, Path.Combine(outDir, "data"));
        DataSplits? splits = null;
        var rows = new JsonArray();
        foreach (var step in plan)
        {
            var config = ConfigResolver.Resolve(model, step.Config, step.Overrides()).ValidateClassifierRecipe(step.Config);
            splits ??= new DataOptions { Dir = step.Data }.Load(config.Seed, config.LabelLevels);
            string metricsPath = Path.Combine(step.Out, "metrics.json");
            if (!Finished(step.Out, config, model))
            {
                observer.Message($"massive row {step.Row.Index}: {step.Row.Name} ({step.Row.Slug})");
                TrainRun.Run(model, vocab, splits, config, step.Out, observer);
            }
            else observer.Message($"massive row {step.Row.Index}: finished earlier, read from {metricsPath}");
            var m = JsonNode.Parse(File.ReadAllText(metricsPath))!.AsObject();
            var test = m["test"]!.AsObject();
            var row = new JsonObject
            {
                ["index"] = step.Row.Index, ["name"] = step.Row.Name, ["config"] = step.Config, ["out"] = step.Out,
                ["command"] = step.Command(model, vocab),
                ["report_test_loss"] = step.Row.ReportLoss, ["report_test_accuracy"] = step.Row.ReportAccuracy,
                ["test_cross_entropy"] = test["cross_entropy"]?.DeepClone(), ["test_accuracy"] = test["accuracy"]!.DeepClone(),
                ["test_count"] = test["count"]!.DeepClone(), ["phase_seconds"] = m["phase_seconds"]!.DeepClone(),
            };
            if (step.Row.ContrastiveLoss is double reported)
            {
                var stage = config.Phases[0];
                row["contrastive_phase"] = stage.Name();
                row["contrastive_reduction"] = config.Pretrain.Reduction;
                row["report_contrastive_loss"] = reported;
                row["contrastive_loss"] = LastEpochLoss(Path.Combine(step.Out, "log.jsonl"), stage.Name());
            }
            rows.Add(row);
        }
        var result = new JsonObject
        {
            ["report"] = "003_d8cf303ceb8917a6 (A Deep Dive into BERT and Contrastive Learning)",
            ["scale"] = scale.Name, ["model"] = model, ["from_scratch"] = model.StartsWith("scratch:", StringComparison.Ordinal),
            ["train_examples"] = splits!.Train.Count, ["dev_examples"] = splits.Dev.Count, ["test_examples"] = splits.Test?.Count ?? 0,
            ["labels"] = splits.Labels.Count, ["majority_class"] = Majority(splits), ["rows"] = rows,
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "results.json"), result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AtomicFile.WriteAllText(Path.Combine(outDir, "results.md"), Markdown(result));
        return result;
    }

    /// <summary>A row's folder holds a finished run of exactly this config and model.</summary>
    static bool Finished(string dir, TrainConfig config, string model)
    {
        string metrics = Path.Combine(dir, "metrics.json"), saved = Path.Combine(dir, "model", "training_config.json");
        if (!File.Exists(metrics) || !File.Exists(saved)) return false;
        var m = JsonNode.Parse(File.ReadAllText(metrics))!;
        if (File.ReadAllText(saved) == config.WithResolvedPrecision().ToJson() && m["base_model"]?.GetValue<string>() == model) return true;
        throw new InvalidOperationException($"{dir}: holds a finished run of another config or model; give another --out (or delete the folder) to run this one");
    }

    /// <summary>Seeded stratified slices of train, dev and test (the whole split where the scale has no size), as JSONL.</summary>
    static void WriteSlices(string data, MassiveScale scale, string folder)
    {
        var all = new DataOptions { Dir = data }.Load(SliceSeed, null);
        if (all.Test is null) throw new FileNotFoundException($"{data}: no test file (the report's table is on the test set)");
        Directory.CreateDirectory(folder);
        void Write(string name, List<Example> examples, int? n)
        {
            var cut = n is int size ? DataSplits.StratifiedSample(examples, size, Seeds.Mix(SliceSeed, name)) : examples;
            var text = new StringBuilder();
            foreach (var e in cut) text.Append(JsonSerializer.Serialize(new { text = e.Text, label = e.Label })).Append('\n');
            AtomicFile.WriteAllText(Path.Combine(folder, name + ".jsonl"), text.ToString());
        }
        Write("train", all.Train, scale.Train);
        Write("dev", all.Dev, scale.Dev);
        Write("test", all.Test, scale.Test);
    }

    /// <summary>The mean loss of a phase's last epoch in a run's log.jsonl (each step is logged with log_every = 1).</summary>
    static double? LastEpochLoss(string log, string phase)
    {
        if (!File.Exists(log)) return null;
        var lines = File.ReadLines(log).Select(l => JsonNode.Parse(l)!).Where(n => n["phase"]?.GetValue<string>() == phase && n["loss"] is not null).ToList();
        if (lines.Count == 0) return null;
        int last = lines.Max(n => n["epoch"]!.GetValue<int>());
        return lines.Where(n => n["epoch"]!.GetValue<int>() == last).Average(n => n["loss"]!.GetValue<double>());
    }

    /// <summary>Predicting the training set's most frequent intent; its loss is the cross-entropy of the training label
    /// frequencies on test (what a model that learnt only the prior scores).</summary>
    static JsonObject Majority(DataSplits d)
    {
        var counts = d.Labels.Names.Select(n => d.Train.Count(e => e.Label == n)).ToArray();
        int top = Array.IndexOf(counts, counts.Max());
        var test = d.Test ?? d.Dev;
        var prior = counts.Select(c => (float)c / d.Train.Count).ToArray();
        var gold = test.Select(e => d.Labels.IndexOf(e.Label)).ToArray();
        return new JsonObject
        {
            ["label"] = d.Labels.Names[top],
            ["test_accuracy"] = (double)gold.Count(g => g == top) / Math.Max(1, gold.Length),
            ["test_cross_entropy"] = ClassifierEvaluation.CrossEntropy(gold.Select(_ => prior).ToArray(), gold),
        };
    }

    static string F(JsonNode? n, string format = "F7") => n is null ? "—" : n.GetValue<double>().ToString(format, CultureInfo.InvariantCulture);

    static string Markdown(JsonObject r)
    {
        var s = new StringBuilder();
        bool scratch = r["from_scratch"]!.GetValue<bool>();
        s.Append($"# MASSIVE report (003) reproduced: scale {r["scale"]}, encoder `{r["model"]}`{(scratch ? " (from scratch: a randomly initialised encoder, not a pretrained one)" : "")}\n\n");
        s.Append($"Training examples {r["train_examples"]}, dev {r["dev_examples"]}, test {r["test_examples"]} (the report: 11,514 / 2,033 / {ReportTestCount:N0}), {r["labels"]} intents. ");
        s.Append("Ours is the mean cross-entropy per test example in nats; the report's Test Loss is on a scale it does not define " +
                 "(an untrained 60-way head scores ln 60 ≈ 4.09 nats per example, the report prints 0.0166), so compare losses within a column only.\n\n");
        s.Append("Table 7: Models and Their Performances\n\n");
        s.Append("| Exp Idx | Experiment Name | Test Loss (report) | Test Loss (ours) | Test Accuracy (report) | Test Accuracy (ours) |\n");
        s.Append("|---|---|---|---|---|---|\n");
        foreach (var row in r["rows"]!.AsArray())
            s.Append($"| {row!["index"]} | {row["name"]} | {F(row["report_test_loss"])} | {F(row["test_cross_entropy"])} | {F(row["report_test_accuracy"])} | {F(row["test_accuracy"])} |\n");
        var maj = r["majority_class"]!;
        s.Append($"| — | Majority class (`{maj["label"]}`; loss: the training label frequencies) | — | {F(maj["test_cross_entropy"])} | — | {F(maj["test_accuracy"])} |\n\n");
        s.Append("Table 8: SupCon and SimCLR Loss Values (after the last epoch; ours: the mean over its batches, each loss summed over the batch's anchors as the configs set)\n\n");
        s.Append("| Loss Function | Loss Value (report) | Loss Value (ours) |\n|---|---|---|\n");
        foreach (var row in r["rows"]!.AsArray().Where(x => x!["report_contrastive_loss"] is not null))
            s.Append($"| {(row!["contrastive_phase"]!.GetValue<string>() == "supcon" ? "SupCon" : "SimCLR")} | {F(row["report_contrastive_loss"])} | {F(row["contrastive_loss"])} |\n");
        s.Append("\nRows and commands:\n\n");
        foreach (var row in r["rows"]!.AsArray())
            s.Append($"{row!["index"]}. `{row["command"]}` ({string.Join(", ", row["phase_seconds"]!.AsObject().Select(kv => $"{kv.Key} {kv.Value!.GetValue<double>():F0} s"))})\n");
        return s.ToString();
    }
}

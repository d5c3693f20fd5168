using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.Augmentation;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Reports;
using PhaseTune.Text;
using PhaseTune.Training;
using TorchSharp;

using static PhaseTune.Phases.PhaseKind;

namespace PhaseTune.Runs;

/// <summary>The paper's ablation grid: variants × seeds, each a full <see cref="TrainRun"/> run. Variants that
/// begin with the same DAE phase (3phase, dae+ft, noimb, extraimb) share one DAE run per seed. A finished
/// variant/seed (its metrics.json exists) is not run again, so a killed ablation resumes.</summary>
public static class AblationRun
{
    /// <summary>The entries of its output folder an ablation writes or replaces.</summary>
    public static readonly string[] Writes = ["seed-*", "results.json", "results.md", RunPlots.Folder, RunLock.FileName + "*"];

    public static readonly IReadOnlyDictionary<string, Func<TrainConfig, TrainConfig>> Variants =
        new Dictionary<string, Func<TrainConfig, TrainConfig>>
        {
            ["3phase"] = c => c with { Phases = [Dae, Contrastive, FineTune] },
            ["joint"] = c => c with { Phases = [Joint, FineTune] },
            ["ft"] = c => c with { Phases = [FineTune] },
            ["dae+ft"] = c => c with { Phases = [Dae, FineTune] },
            ["cl+ft"] = c => c with { Phases = [Contrastive, FineTune] },
            ["noimb"] = c => c with { Phases = [Dae, Contrastive, FineTune], Cl = c.Cl with { Imbalance = ImbalanceMode.None } },
            ["extraimb"] = c => c with { Phases = [Dae, Contrastive, FineTune], Cl = c.Cl with { Imbalance = ImbalanceMode.Extra } },
        };

    /// <param name="model">a model directory, or `scratch:PRESET` with <paramref name="vocab"/>: every variant and seed
    /// starts from it anew (scratch weights drawn from the seed)</param>
    public static JsonObject Run(string model, string? vocab, DataSplits data, TrainConfig baseConfig,
        IReadOnlyList<string> variants, IReadOnlyList<int> seeds, string outDir, ITrainingObserver? observer = null)
    {
        baseConfig.Validate();
        observer ??= SilentObserver.Instance;
        using var runLock = RunLock.Acquire(outDir);
        foreach (var v in variants)
            if (!Variants.ContainsKey(v) && v != BaselineRun.Variant)
                throw new ArgumentException($"unknown variant '{v}' ({string.Join(", ", Variants.Keys)}, {BaselineRun.Variant})");
        var results = new JsonObject();
        foreach (var v in variants) results[v] = new JsonObject();
        foreach (int seed in seeds)
        {
            double? daeSeconds = null;
            string daeDir = Path.Combine(outDir, $"seed-{seed}", "shared-dae");
            foreach (var v in variants)
            {
                string dir = Path.Combine(outDir, $"seed-{seed}", v);
                string metricsPath = Path.Combine(dir, "metrics.json");
                if (!File.Exists(metricsPath))
                {
                    observer.Message($"ablation: {v}, seed {seed}");
                    if (v == BaselineRun.Variant) BaselineRun.Run(data, dir, seed);
                    else daeSeconds = RunVariant(model, vocab, data, Variants[v](baseConfig) with { Seed = seed }, dir, daeDir, daeSeconds, observer);
                }
                var m = JsonNode.Parse(File.ReadAllText(metricsPath))!.AsObject();
                var scores = (m["test"] ?? m["dev"])!.DeepClone().AsObject();
                scores["split"] = m["test"] is null ? "dev" : "test";
                scores["phase_seconds"] = m["phase_seconds"]!.DeepClone();
                if (m["cluster_quality"] is JsonObject q) scores["cluster_quality"] = q.DeepClone();
                results[v]![seed.ToString()] = scores;
            }
        }
        var report = new JsonObject
        {
            ["variants"] = results,
            ["seeds"] = new JsonArray(seeds.Select(s => (JsonNode)s).ToArray()),
            ["config"] = JsonNode.Parse(baseConfig.ToJson()),
            ["summary"] = Summary(results),
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "results.json"), report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AtomicFile.WriteAllText(Path.Combine(outDir, "results.md"), Markdown(report));
        AblationPlot.Write(outDir, report);
        return report;
    }

    /// <summary>One variant's train run from a fresh encoder; one that starts with DAE starts from the seed's shared DAE
    /// run (made first if need be). Returns the shared DAE's seconds, once known.</summary>
    static double? RunVariant(string model, string? vocab, DataSplits data, TrainConfig c, string dir, string daeDir, double? daeSeconds,
        ITrainingObserver observer)
    {
        var (encoder, tok, _) = ModelSource.Resolve(model, vocab, c.Seed);
        using (encoder)
        {
            if (c.Phases[0] != Dae)
            {
                TrainRun.Run(encoder, tok, data, c, dir, observer, baseModel: model);
                return daeSeconds;
            }
            daeSeconds ??= SharedDae(encoder, tok, data, c, daeDir, observer);
            CheckpointLoader.Load(encoder, Path.Combine(daeDir, "model", "model.safetensors"));
            TrainRun.Run(encoder, tok, data, c, dir, observer, firstPhase: 1,
                priorSeconds: new Dictionary<PhaseKind, double> { [Dae] = daeSeconds.Value }, baseModel: model);
            return daeSeconds;
        }
    }

    /// <summary>Runs (or reuses) the DAE phase of a seed once, as a pretrain run into DIR; returns its seconds.</summary>
    static double SharedDae(BertModel model, ITokenizer tok, DataSplits data, TrainConfig c, string dir, ITrainingObserver observer)
    {
        string secondsPath = Path.Combine(dir, "seconds.json");
        if (!File.Exists(Path.Combine(dir, "model", "model.safetensors")) || !File.Exists(secondsPath))
        {
            var took = PretrainRun.Run(model, tok, data, c with { Phases = [Dae] }, dir, observer);
            AtomicFile.WriteAllText(secondsPath, JsonSerializer.Serialize(took.TotalSeconds));
        }
        return JsonSerializer.Deserialize<double>(File.ReadAllText(secondsPath));
    }

    static readonly string[] Metrics = ["accuracy", "macro_f1", "macro_precision", "macro_recall"];

    static JsonObject Summary(JsonObject results)
    {
        var summary = new JsonObject();
        foreach (var (variant, seeds) in results)
        {
            var row = new JsonObject();
            foreach (var metric in Metrics)
            {
                var xs = seeds!.AsObject().Select(s => s.Value![metric]!.GetValue<double>()).ToArray();
                double mean = xs.Average(), sd = xs.Length > 1 ? Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Length - 1)) : 0;
                row[metric] = new JsonObject { ["mean"] = mean, ["sd"] = sd, ["n"] = xs.Length };
            }
            var phaseTotals = new JsonObject();
            foreach (var s in seeds!.AsObject())
                foreach (var (phase, sec) in s.Value!["phase_seconds"]!.AsObject())
                    phaseTotals[phase] = (phaseTotals[phase]?.GetValue<double>() ?? 0) + sec!.GetValue<double>() / seeds.AsObject().Count;
            row["mean_phase_seconds"] = phaseTotals;
            // the dev silhouette where each variant starts and after each of its phases, averaged over the seeds that have it
            var silhouettes = new JsonObject();
            foreach (var key in seeds.AsObject().SelectMany(s => (s.Value!["cluster_quality"] as JsonObject)?.Select(q => q.Key) ?? []).Distinct().ToList())
            {
                var xs = seeds.AsObject().Select(s => s.Value!["cluster_quality"]?[key]?["silhouette_cosine"]?.GetValue<double>()).OfType<double>().ToArray();
                if (xs.Length > 0) silhouettes[key] = xs.Average();
            }
            row["mean_silhouette"] = silhouettes;
            summary[variant] = row;
        }
        return summary;
    }

    /// <summary>One table: variants × (accuracy, macro P/R/F1) as mean ± sd, the best mean of each column in bold.</summary>
    public static string Markdown(JsonObject report)
    {
        var summary = report["summary"]!.AsObject();
        string split = report["variants"]!.AsObject().First().Value!.AsObject().First().Value!["split"]!.GetValue<string>();
        var sb = new StringBuilder();
        sb.AppendLine($"Scores on {split}, mean ± sd over seeds {string.Join(", ", report["seeds"]!.AsArray())}; seconds are mean wall-clock per phase; " +
            "dev silhouette (cosine, by label) of the sentence embeddings where the variant starts and after each phase, mean over seeds.");
        sb.AppendLine();
        sb.AppendLine("| variant | accuracy | macro F1 | macro precision | macro recall | seconds per phase | dev silhouette |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        var best = Metrics.ToDictionary(m => m, m => summary.Max(v => v.Value![m]!["mean"]!.GetValue<double>()));
        foreach (var (variant, row) in summary)
        {
            var cells = Metrics.Select(m =>
            {
                double mean = row![m]!["mean"]!.GetValue<double>(), sd = row[m]!["sd"]!.GetValue<double>();
                string cell = $"{mean * 100:F2} ± {sd * 100:F2}";
                return mean == best[m] ? $"**{cell}**" : cell;
            });
            string secs = string.Join(", ", row!["mean_phase_seconds"]!.AsObject().Select(p => $"{p.Key} {p.Value!.GetValue<double>():F0}"));
            string sil = string.Join(" → ", (row["mean_silhouette"] as JsonObject ?? []).Select(p => $"{p.Key} {p.Value!.GetValue<double>():F3}"));
            sb.AppendLine($"| {variant} | {string.Join(" | ", cells)} | {secs} | {sil} |");
        }
        return sb.ToString();
    }
}

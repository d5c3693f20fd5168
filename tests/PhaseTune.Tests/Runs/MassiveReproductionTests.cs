using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.Evaluation;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Runs;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Runs;

/// <summary>The MASSIVE report's rows: their configs hold the report's settings, the model before fine-tuning is the
/// built one, and every row runs at --scale smoke.</summary>
public class MassiveReproductionTests
{
    static string Examples => Path.Combine(Paths.RepoRoot, "examples", "massive");
    static string Massive => Path.Combine(Paths.Shared, "datasets", "massive_en");
    static string Vocab => Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt");

    static TrainConfig Row(string file) => ConfigResolver.Resolve("scratch:tiny", Path.Combine(Examples, file)).ValidateClassifierRecipe();

    [Fact]
    public void TheRowConfigsHoldTheReportsHyperParameters()
    {
        var baseline = Row("2-finetune.toml");
        Assert.Equal((16, 10, 10, 1e-4, 1e-4), (baseline.BatchSize, baseline.Ft.MaxEpochs, baseline.Ft.MinEpochs, baseline.Ft.Lr, baseline.Ft.LrHead));
        Assert.Equal([10], baseline.Ft.HeadHidden);
        Assert.Equal([0.9, 0.0], baseline.Ft.HeadDropout);
        Assert.Equal(("cosine", 1e-6, (double?)10, 0.0), (baseline.Ft.Schedule, baseline.Ft.EtaMin, baseline.Ft.TMax, baseline.MaxGradNorm));
        Assert.Equal(0, Row("1-before-finetuning.toml").Ft.MaxEpochs);
        var llrd = Row("3-llrd.toml");
        Assert.Equal((0.9, "constant"), (llrd.Ft.Llrd!.Value, llrd.Ft.Schedule));
        Assert.Equal([0.01, 0.009], llrd.Ft.LrHeadLayers!);
        var warmup = Row("4-warmup.toml");
        Assert.Equal(("linear", 0.2, (double?)null), (warmup.Ft.Schedule, warmup.Ft.WarmupRatio, warmup.Ft.Llrd));
        var both = Row("5-llrd-warmup.toml");
        Assert.Equal((0.9, 0.2, "linear"), (both.Ft.Llrd!.Value, both.Ft.WarmupRatio, both.Ft.Schedule));
        var supcon = Row("6-supcon.toml");
        Assert.Equal([PhaseKind.SupCon, PhaseKind.FineTune], supcon.Phases);
        Assert.Equal((64, 10, 1e-4, "adamw", 0.9, 0.2, "sum", 0.9, true), (supcon.BatchSize, supcon.Pretrain.Epochs, supcon.Pretrain.Lr,
            supcon.Pretrain.Optimizer, supcon.Pretrain.Llrd!.Value, supcon.Pretrain.WarmupRatio, supcon.Pretrain.Reduction, supcon.Pretrain.ViewDropout, supcon.Ft.FreezeEncoder));
        var simclr = Row("7-simclr.toml");
        Assert.Equal((256, 13, 1e-5, "sgd", 0.99, 0.0, 20, 1e-2), (simclr.BatchSize, simclr.Pretrain.Epochs, simclr.Pretrain.Lr,
            simclr.Pretrain.Optimizer, simclr.Pretrain.Momentum, simclr.Pretrain.NoiseRatio, simclr.Ft.MaxEpochs, simclr.Ft.LrHead));
        // every row has a config, and a dry run lists them with flags `train` knows
        var plan = MassiveReproduction.Plan(Massive, Examples, MassiveScale.Smoke, "/tmp/x");
        Assert.Equal(Enumerable.Range(1, 7), plan.Select(p => p.Row.Index));
        foreach (var step in plan) Assert.NotEmpty(step.Overrides());
        Assert.Contains("--pretrain-epochs 1", plan[6].Command("scratch:tiny", null));
        Assert.Contains("--ft-epochs 0", plan[0].Command("scratch:tiny", null));
    }

    [Fact]
    public void BeforeFineTuningIsTheBuiltModelEvaluatedUntrained()
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, data, data, LabelSet.FromTrain(data, null), false);
        var bert = ToyModels.Encoder(8);
        var start = bert.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var c = new TrainConfig
        {
            Phases = [PhaseKind.FineTune], BatchSize = 4, MaxLength = 32, Seed = 5, LogEvery = 1, CheckpointEvery = 0,
            Ft = new FineTuneConfig { MaxEpochs = 0, MinEpochs = 0, HeadHidden = [10], HeadDropout = [0.9, 0] },
        };
        string dir = Paths.TempDir();
        var result = TrainRun.Run(bert, ToyModels.Tokenizer, splits, c, dir);
        Assert.DoesNotContain(File.ReadLines(Path.Combine(dir, "log.jsonl")), l => l.Contains("\"phase\":\"ft\""));   // no step
        var saved = ClassifierDirectory.Load(Path.Combine(dir, "model"));
        foreach (var (name, p) in saved.Encoder.Encoder.named_parameters())
            Assert.True(p.equal(start[name]).all().item<bool>(), $"{name} changed before fine-tuning");
        var test = ClassifierEvaluation.Evaluate(saved, data, splits.Labels);
        Assert.Equal(result.Test!.Accuracy, test.Accuracy);
        Assert.Equal(result.Test.CrossEntropy!.Value, test.CrossEntropy!.Value, 6);
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")))!;
        Assert.Equal(test.CrossEntropy.Value, metrics["test"]!["cross_entropy"]!.GetValue<double>(), 6);
        Assert.Equal([10], saved.Head.Spec.Hidden);
    }

    [Fact]
    public void EveryRowRunsAtSmokeScale()
    {
        string dir = Paths.TempDir();
        int threads = get_num_threads();
        JsonObject result;
        try { result = MassiveReproduction.Run(Massive, Examples, "scratch:tiny", Vocab, MassiveScale.Smoke, dir, threads: 1); }
        finally { set_num_threads(threads); }
        var rows = result["rows"]!.AsArray();
        Assert.Equal(Enumerable.Range(1, 7), rows.Select(r => r!["index"]!.GetValue<int>()));
        foreach (var row in rows)
        {
            double acc = row!["test_accuracy"]!.GetValue<double>(), loss = row["test_cross_entropy"]!.GetValue<double>();
            Assert.InRange(acc, 0, 1);
            Assert.True(double.IsFinite(loss) && loss > 0, $"row {row["index"]}: test loss {loss}");
            Assert.Equal(result["test_examples"]!.GetValue<int>(), row["test_count"]!.GetValue<int>());
        }
        Assert.All(rows.Skip(5), r => Assert.True(r!["contrastive_loss"]!.GetValue<double>() > 0));
        Assert.Equal(60, result["labels"]!.GetValue<int>());
        Assert.True(result["from_scratch"]!.GetValue<bool>());
        string md = File.ReadAllText(Path.Combine(dir, "results.md"));
        foreach (var row in MassiveReproduction.Rows) Assert.Contains($"| {row.Index} | {row.Name} | {row.ReportLoss:F7} |", md);
        Assert.Contains("Majority class", md);
        Assert.Contains("| SupCon | 285.7891606 |", md);
        Assert.Contains("from scratch", md);

        // a finished row is read back, not run again
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(dir, "2-finetune", "metrics.json"));
        set_num_threads(1);
        try { MassiveReproduction.Run(Massive, Examples, "scratch:tiny", Vocab, MassiveScale.Smoke, dir, threads: 1); }
        finally { set_num_threads(threads); }
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(dir, "2-finetune", "metrics.json")));
    }
}

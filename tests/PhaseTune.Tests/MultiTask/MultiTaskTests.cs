using System.Text.Json.Nodes;
using PhaseTune.Evaluation;
using PhaseTune.MultiTask;
using PhaseTune.Phases;
using PhaseTune.Runs;
using PhaseTune.Training.Optimization;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.MultiTask;

public class MultiTaskTests
{
    static int[][] Epochs(TaskSampler s) => Enumerable.Range(0, s.Epochs).Select(e => s.Sequence(e, new Random(e))).ToArray();

    [Fact]
    public void SequentialTrainsOneTaskForAllEpochsThenTheNext()
    {
        // two epochs per task, order quora(1), sst(0): four phase epochs
        var s = new TaskSampler("sequential", [1, 0], epochs: 2, batches: [3, 1, 2], weights: [1, 1, 1]);
        Assert.Equal(4, s.Epochs);
        Assert.Equal([[1], [1], [0, 0, 0], [0, 0, 0]], Epochs(s));
        Assert.Equal([1, 1, 3, 3], Enumerable.Range(0, 4).Select(s.Length));
    }

    [Fact]
    public void RoundRobinPassesOverTheFixedOrderWithRepeatsEveryEpoch()
    {
        // SST, STS, SST, STS, QQP with SST = 0 (2 batches), QQP = 1 (1 batch), STS = 2 (1 batch)
        var s = new TaskSampler("round_robin", [0, 2, 0, 2, 1], epochs: 2, batches: [2, 1, 1], weights: [1, 1, 1]);
        Assert.Equal(2, s.Epochs);
        int[] epoch = [0, 0, 2, 0, 0, 2, 1];
        Assert.Equal([epoch, epoch], Epochs(s));
        // without an order: every task once, as listed (the old "sequential")
        Assert.Equal([0, 0, 0, 1, 2, 2], new TaskSampler("round_robin", [], 1, [3, 1, 2], [1, 1, 1]).Sequence(0, new Random(1)));
    }

    [Fact]
    public void InterleavedTakesOneBatchOfEachTaskInTurn()
    {
        var s = new TaskSampler("interleaved", [], epochs: 2, batches: [3, 1, 2], weights: [1, 1, 1]);
        Assert.Equal([[0, 1, 2, 0, 2, 0], [0, 1, 2, 0, 2, 0]], Epochs(s));
    }

    [Fact]
    public void TheOldSamplerKeyIsAClearErrorNamingTheNewNames()
    {
        string dir = Paths.TempDir(), path = Path.Combine(dir, "old.toml");
        File.WriteAllText(path, "model = \"scratch:tiny\"\nsampler = \"round_robin\"\n[[tasks]]\nname = \"a\"\ndata = \"x\"\n");
        var e = Assert.Throws<InvalidDataException>(() => MultiTaskConfig.Load(path));
        Assert.Contains("old.toml: 'sampler' was renamed to 'training_order'", e.Message);
        Assert.Contains("'round_robin' is 'interleaved'", e.Message);
    }

    [Fact]
    public void MtDnnSamplesTasksProportionallyToSizeTimesWeight()
    {
        var seq = new TaskSampler("mtdnn", [], 1, [6000, 3000, 1000], [1, 1, 3]).Sequence(0, new Random(2));
        Assert.Equal(10000, seq.Length);
        // p ∝ 6000, 3000, 3000 → 0.5, 0.25, 0.25
        double[] share = [seq.Count(t => t == 0) / 10000.0, seq.Count(t => t == 1) / 10000.0, seq.Count(t => t == 2) / 10000.0];
        Assert.InRange(share[0], 0.48, 0.52);
        Assert.InRange(share[1], 0.23, 0.27);
        Assert.InRange(share[2], 0.23, 0.27);
        Assert.Equal(seq, new TaskSampler("mtdnn", [], 1, [6000, 3000, 1000], [1, 1, 3]).Sequence(0, new Random(2)));
    }

    [Fact]
    public void PcGradProjectsConflictingGradientsOntoEachOthersNormalPlane()
    {
        var g1 = tensor(new float[] { 1, 0 });
        var g2 = tensor(new float[] { -1, 1 });
        // g1·g2 = -1 < 0: g1' = g1 - (-1/2) g2 = (0.5, 0.5); g2' = g2 - (-1/1) g1 = (0, 1); sum = (0.5, 1.5)
        var combined = PCGrad.Combine([g1, g2], new Random(0));
        Assert.Equal([0.5f, 1.5f], combined.data<float>().ToArray());
        // no conflict: plain sum
        Assert.Equal([2f, 1f], PCGrad.Combine([tensor(new float[] { 1, 0 }), tensor(new float[] { 1, 1 })], new Random(0)).data<float>().ToArray());
        // three tasks, one conflicting pair: only that pair is projected
        var three = PCGrad.Combine([g1, g2, tensor(new float[] { 0, 1 })], new Random(0));
        Assert.Equal([0.5f, 2.5f], three.data<float>().ToArray());
    }

    [Fact]
    public void PcGradMeanAveragesAndWeightsScaleEachTasksGradientBeforeTheProjection()
    {
        var g1 = tensor(new float[] { 1, 0 });
        var g2 = tensor(new float[] { -1, 1 });
        Assert.Equal([0.25f, 0.75f], PCGrad.Combine([g1, g2], new Random(0), "mean").data<float>().ToArray());
        // weights 2, 1: 2·g1 = (2, 0) conflicts with g2 (dot −2): (2, 0) − (−2/2)(−1, 1) = (1, 1); g2 − (−2/4)(2, 0) = (0, 1)
        Assert.Equal([1f, 2f], PCGrad.Combine([g1, g2], new Random(0), "sum", [2, 1]).data<float>().ToArray());
        Assert.Equal([0.5f, 1f], PCGrad.Combine([g1, g2], new Random(0), "mean", [2, 1]).data<float>().ToArray());
        // without a conflict the weights are the weighted sum (mean)
        Assert.Equal([1.5f, 0.5f], PCGrad.Combine([tensor(new float[] { 1, 0 }), tensor(new float[] { 1, 1 })], new Random(0), "mean", [2, 1]).data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => PCGrad.Combine([g1, g2], new Random(0), "max"));
    }

    [Fact]
    public void PearsonAndSpearmanByHand()
    {
        var m = RegressionMetrics.Compute([1, 2, 3, 4], [1, 3, 2, 10]);
        // Pearson: means 2.5 and 4; deviations (-1.5,-0.5,0.5,1.5) and (-3,-1,-2,6)
        double sxy = 4.5 + 0.5 - 1 + 9, sxx = 5, syy = 9 + 1 + 4 + 36;
        Assert.Equal(sxy / Math.Sqrt(sxx * syy), m.Pearson, 10);
        // ranks of predictions: 1, 3, 2, 4 → Spearman = 1 - 6·Σd²/(n(n²-1)) = 1 - 6·2/60 = 0.8
        Assert.Equal(0.8, m.Spearman, 10);
        Assert.Equal((0 + 1 + 1 + 36) / 4.0, m.Mse, 10);
    }

    static string Shared(string rel) => Path.Combine(Paths.Shared, rel);

    public static MultiTaskConfig Tiny(bool pcgrad, string pretrain, string sampler) => new MultiTaskConfig
    {
        Model = "scratch:tiny", Vocab = Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt"),
        TrainingOrder = sampler, Pcgrad = pcgrad, Pretrain = pretrain, Epochs = 1, Lr = 1e-3, BatchSize = 8, MaxLength = 32, Seed = 3,
        Tasks =
        [
            new TaskConfig { Name = "sst5", Data = Shared("datasets/sst5"), Kind = TaskKind.Single },
            new TaskConfig { Name = "quora", Data = Shared("datasets/qqp_cs224n/dev.jsonl"), Kind = TaskKind.PairClassification, Encoding = "bi" },
            new TaskConfig { Name = "stsb", Data = Shared("datasets/stsb_cs224n"), Kind = TaskKind.PairRegression, Metric = "pearson" },
        ],
    }.Validate("test");

    [Theory]
    [InlineData(false, "none", "mtdnn")]
    [InlineData(true, "simcse", "interleaved")]
    public void TinyRunOnSlicesWritesEveryTasksMetrics(bool pcgrad, string pretrain, string sampler)
    {
        string dir = Paths.TempDir();
        var metrics = MultiTaskRun.Run(Tiny(pcgrad, pretrain, sampler), dir, maxSteps: 6, limitPerTask: 40);
        var onDisk = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")))!;
        foreach (var split in new[] { "dev", "test" })
        {
            Assert.InRange(onDisk[split]!["sst5"]!["accuracy"]!.GetValue<double>(), 0, 1);
            Assert.InRange(onDisk[split]!["sst5"]!["count"]!.GetValue<int>(), 30, 40);
            Assert.InRange(onDisk[split]!["quora"]!["accuracy"]!.GetValue<double>(), 0, 1);
            Assert.InRange(onDisk[split]!["stsb"]!["pearson"]!.GetValue<double>(), -1, 1);
            Assert.NotNull(onDisk[split]!["stsb"]!["spearman"]);
            Assert.NotNull(onDisk[split]!["mean"]);
        }
        Assert.Equal(pretrain != "none", onDisk["phase_seconds"]!.AsObject().ContainsKey("simcse"));
        // a loss plot per phase, and the dev curve
        Assert.Equal(pretrain != "none", File.Exists(Path.Combine(dir, "plots", "loss-simcse.png")));
        foreach (var png in Directory.GetFiles(Path.Combine(dir, "plots"))) PlotAssert.NotBlank(png);
        Assert.True(File.Exists(Path.Combine(dir, "plots", "dev.png")));
        Assert.True(File.Exists(Path.Combine(dir, "model", "multitask_heads.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "model", "model.safetensors")));
        var log = File.ReadAllLines(Path.Combine(dir, "log.jsonl"));
        Assert.Contains(log, l => l.Contains("\"phase\":\"multitask\""));
        Assert.Equal(metrics["dev"]!["mean"]!.GetValue<double>(), onDisk["dev"]!["mean"]!.GetValue<double>());
    }

    [Fact]
    public void ExampleConfigsParse()
    {
        var mt = MultiTaskConfig.Load(Path.Combine(Paths.RepoRoot, "examples", "multitask-sst5-quora-stsb.toml"));
        Assert.Equal(["sst5", "quora", "stsb"], mt.Tasks.Select(t => t.Name));
        Assert.All(mt.Tasks, t => Assert.True(File.Exists(t.Data) || Directory.Exists(t.Data), t.Data));
        Assert.True(File.Exists(mt.Vocab));
        var c = ConfigResolver.Resolve("scratch:mini", Path.Combine(Paths.RepoRoot, "examples", "massive-llrd.toml"));
        Assert.Equal(0.8, c.Ft.Llrd);
        Assert.Equal([PhaseKind.FineTune], c.Phases);   // the file's phases hold when no --phases is given
        Assert.Equal(0.9, c.Ft.Momentum);   // untouched default survives the merge
    }

    [Fact]
    public void BadMultiTaskConfigsAreRejectedWithTheFileName()
    {
        string dir = Paths.TempDir(), path = Path.Combine(dir, "bad.toml");
        File.WriteAllText(path, "model = \"scratch:tiny\"\ntraining_order = \"random\"\n[[tasks]]\nname = \"a\"\ndata = \"x\"\n");
        Assert.Contains("bad.toml: training_order must be", Assert.Throws<ArgumentException>(() => MultiTaskConfig.Load(path)).Message);
        File.WriteAllText(path, "model = \"scratch:tiny\"\nlearning_rate = 3\n");
        Assert.Contains("bad.toml", Assert.Throws<InvalidDataException>(() => MultiTaskConfig.Load(path)).Message);
        File.WriteAllText(path, "model = [unclosed\n");
        Assert.Contains("bad.toml: invalid TOML", Assert.Throws<InvalidDataException>(() => MultiTaskConfig.Load(path)).Message);
    }
}

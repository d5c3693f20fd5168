using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Runs;
using PhaseTune.Training;
using TorchSharp;
using Xunit;

namespace PhaseTune.Tests.Runs;

public class PhaseRunnerTests
{
    static DataSplits Toy()
    {
        var data = ToyModels.Corpus();
        return new DataSplits(data, data, null, LabelSet.FromTrain(data, null), false);
    }

    static readonly TrainConfig Small = new()
    {
        BatchSize = 4, MaxLength = 32, Seed = 4, LogEvery = 1, CheckpointEvery = 1,
        Dae = new DaeConfig { Epochs = 1, Lr = 1e-3 }, Pretrain = new PretrainConfig { Lr = 1e-3 },
        Ft = new FineTuneConfig { MaxEpochs = 1, Lr = 1e-3 },
    };

    [Fact]
    public void EachPhaseIsSeededFromTheRunSeedAndItsName()
    {
        double Draw(int seed, PhaseKind kind)
        {
            using var runner = new PhaseRunner(Paths.TempDir(), seed, new TrainerOptions(), "id");
            double draw = 0;
            var encoder = new SentenceEncoder(ToyModels.Encoder(1), PoolingMode.Cls);
            runner.Run(0, kind, () =>
            {
                draw = torch.rand(1).item<float>();
                return PhaseFactory.Create(kind, encoder, ToyModels.Tokenizer, Toy(), Small with { Seed = seed });
            }).Dispose();
            return draw;
        }
        Assert.Equal(Draw(7, PhaseKind.SimCse), Draw(7, PhaseKind.SimCse));
        Assert.NotEqual(Draw(7, PhaseKind.SimCse), Draw(8, PhaseKind.SimCse));
        Assert.NotEqual(Draw(7, PhaseKind.SimCse), Draw(7, PhaseKind.Dae));
    }

    [Fact]
    public void AFreshRunClearsAnEarlierRunsPlotsMapsAndEventsAndAResumedRunKeepsThem()
    {
        string dir = Paths.TempDir();
        void Plant() { foreach (var d in PhaseRunner.Derived) { Directory.CreateDirectory(Path.Combine(dir, d)); File.WriteAllText(Path.Combine(dir, d, "old"), "x"); } }
        Plant();
        using (var fresh = new PhaseRunner(dir, 1, Small.ToTrainerOptions(), "id"))
        {
            Assert.All(PhaseRunner.Derived, d => Assert.False(Directory.Exists(Path.Combine(dir, d))));
            fresh.Run(0, PhaseKind.SimCse, () => PhaseFactory.Create(PhaseKind.SimCse, new SentenceEncoder(ToyModels.Encoder(1), PoolingMode.Cls),
                ToyModels.Tokenizer, Toy(), Small)).Dispose();
        }
        Plant();
        using (new PhaseRunner(dir, 1, Small.ToTrainerOptions(), "id"))   // a checkpoint is there: this run resumes
            Assert.All(PhaseRunner.Derived, d => Assert.True(File.Exists(Path.Combine(dir, d, "old"))));
    }

    [Fact]
    public void AFailureWhileWritingOutputsKeepsTheCheckpointAndTheTimes()
    {
        string dir = Paths.TempDir();
        using (var runner = new PhaseRunner(dir, 1, Small.ToTrainerOptions(), "id"))
        {
            runner.Run(0, PhaseKind.SimCse, () => PhaseFactory.Create(PhaseKind.SimCse, new SentenceEncoder(ToyModels.Encoder(1), PoolingMode.Cls),
                ToyModels.Tokenizer, Toy(), Small)).Dispose();
            Assert.Throws<IOException>(() => runner.Complete(() => throw new IOException("disk full")));
        }
        Assert.True(File.Exists(Path.Combine(dir, "checkpoint", "state.json")));
        Assert.True(File.Exists(Path.Combine(dir, "phase_seconds.json")));
        // a new runner over the same directory resumes: the phase counts as finished and its seconds come back
        using var again = new PhaseRunner(dir, 1, Small.ToTrainerOptions(), "id");
        Assert.False(again.Finished(0));   // the checkpoint was taken in phase 0: it is resumed, not skipped
        Assert.True(again.Seconds["simcse"] > 0);
        again.Complete(() => { });
        Assert.False(Directory.Exists(Path.Combine(dir, "checkpoint")));
        Assert.False(File.Exists(Path.Combine(dir, "phase_seconds.json")));
    }

    [Fact]
    public void PretrainSavesALoadableEncoderThatMovedAndRefusesAClassifierRecipe()
    {
        string dir = Paths.TempDir();
        var model = ToyModels.Encoder(2);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var took = PretrainRun.Run(model, ToyModels.Tokenizer, Toy(), Small with { Phases = [PhaseKind.SupCon], Pooling = "mean" }, dir);
        Assert.True(took > TimeSpan.Zero);
        var loaded = ModelDirectory.Load(Path.Combine(dir, "model"));
        Assert.Equal(PoolingMode.Mean, loaded.Pooling);
        var after = loaded.Model.state_dict();
        Assert.Contains(before, kv => !kv.Value.equal(after[kv.Key]).all().item<bool>());
        Assert.Contains("\"phase\":\"supcon\"", File.ReadAllText(Path.Combine(dir, "log.jsonl")));
        PlotAssert.NotBlank(Path.Combine(dir, "plots", "loss-supcon.png"));
        Assert.False(Directory.Exists(Path.Combine(dir, "checkpoint")));
        var e = Assert.Throws<ArgumentException>(() => PretrainRun.Run(ToyModels.Encoder(2), ToyModels.Tokenizer, Toy(), Small, Paths.TempDir()));
        Assert.Contains("a pretrain run has one phase", e.Message);
    }

    [Fact]
    public void AblationSharesOneDaeRunPerSeedAndSkipsFinishedVariants()
    {
        string dir = Paths.TempDir();
        var vocab = Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt");
        var c = Small with { Cl = new ContrastiveConfig { Epochs = 1, Aug = 1 } };
        var report = AblationRun.Run("scratch:tiny", vocab, Toy(), c, ["dae+ft", "3phase", "ft"], [1], dir);
        string shared = Path.Combine(dir, "seed-1", "shared-dae");
        Assert.True(File.Exists(Path.Combine(shared, "model", "model.safetensors")));
        double daeSeconds = double.Parse(File.ReadAllText(Path.Combine(shared, "seconds.json")), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var v in new[] { "dae+ft", "3phase" })
        {
            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "seed-1", v, "metrics.json")))!;
            Assert.Equal(daeSeconds, metrics["phase_seconds"]!["dae"]!.GetValue<double>());
            Assert.DoesNotContain("\"phase\":\"dae\"", File.ReadAllText(Path.Combine(dir, "seed-1", v, "log.jsonl")));
        }
        Assert.False(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "seed-1", "ft", "metrics.json")))!["phase_seconds"]!.AsObject().ContainsKey("dae"));
        var examples = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "seed-1", "3phase", "metrics.json")))!["phase_examples"]!;
        Assert.Equal(12, examples["dae"]!.GetValue<int>());   // the toy corpus's texts, shared DAE credited
        Assert.Equal(12, examples["ft"]!.GetValue<int>());
        Assert.InRange(examples["cl"]!.GetValue<int>(), 2, 12 * 11 / 2);
        Assert.Equal(["dae+ft", "3phase", "ft"], report["summary"]!.AsObject().Select(kv => kv.Key));
        // the dev set's cluster quality where each variant starts and after each of its phases, carried into the report
        JsonObject Quality(string v) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "seed-1", v, "metrics.json")))!["cluster_quality"]!.AsObject();
        Assert.Equal(["dae", "cl", "ft"], Quality("3phase").Select(kv => kv.Key));
        Assert.Equal(["start", "ft"], Quality("ft").Select(kv => kv.Key));
        Assert.Equal(Quality("3phase")["dae"]!.ToJsonString(), Quality("dae+ft")["dae"]!.ToJsonString());   // the one shared DAE
        Assert.All(Quality("3phase"), q => Assert.InRange(q.Value!["silhouette_cosine"]!.GetValue<double>(), -1, 1));
        Assert.Equal(Quality("3phase")["cl"]!["silhouette_cosine"]!.GetValue<double>(),
            report["summary"]!["3phase"]!["mean_silhouette"]!["cl"]!.GetValue<double>(), 9);
        PlotAssert.NotBlank(Path.Combine(dir, "plots", "variants.png"));
        // each variant's model card says where it started
        Assert.Contains("from a randomly initialised encoder (scratch:tiny)", File.ReadAllText(Path.Combine(dir, "seed-1", "3phase", "model", "README.md")));
        Assert.Contains("dae 0.", File.ReadAllText(Path.Combine(dir, "results.md")).Split('\n').Single(l => l.StartsWith("| 3phase")));
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(dir, "seed-1", "3phase", "metrics.json"));
        AblationRun.Run("scratch:tiny", vocab, Toy(), c, ["3phase"], [1], dir);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(dir, "seed-1", "3phase", "metrics.json")));
    }
}

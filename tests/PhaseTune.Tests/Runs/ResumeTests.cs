using PhaseTune.Data;
using PhaseTune.Evaluation;
using PhaseTune.ModelFiles;
using PhaseTune.Phases;
using PhaseTune.Runs;
using PhaseTune.Training;
using Xunit;

namespace PhaseTune.Tests.Runs;

/// <summary>A run killed mid-phase and started again ends exactly where an uninterrupted run ends.</summary>
public class ResumeTests
{
    sealed class KillAt(string phase, long step) : ITrainingObserver
    {
        public void PhaseStarted(string p, long total, long done) { }
        public void Step(string p, int epoch, long s, double loss, double lr)
        {
            if (p == phase && s == step) throw new OperationCanceledException("killed");
        }
        public void PhaseFinished(string p, TimeSpan elapsed) { }
        public void Message(string text) { }
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("bf16")]
    public void KilledRunResumesToTheSameWeightsLogAndMetrics(string precision)
    {
        var data = ToyModels.Corpus();
        var labels = LabelSet.FromTrain(data, null);
        var splits = new DataSplits(data, data, data, labels, false);
        var c = new TrainConfig
        {
            BatchSize = 4, MaxLength = 32, Seed = 9, LogEvery = 1, CheckpointEvery = 2, Phases = [PhaseKind.Dae, PhaseKind.Contrastive, PhaseKind.FineTune], Precision = precision,
            Dae = new DaeConfig { Epochs = 2, Lr = 1e-3 }, Cl = new ContrastiveConfig { Epochs = 1, Lr = 1e-3, Aug = 2, Projection = "linear" },
            Ft = new FineTuneConfig { MaxEpochs = 3, Lr = 1e-3, LrHead = 1e-2 },
        };
        string full = Paths.TempDir(), killed = Paths.TempDir();
        var reference = TrainRun.Run(ToyModels.Encoder(21), ToyModels.Tokenizer, splits, c, full);

        Assert.Throws<OperationCanceledException>(() =>
            TrainRun.Run(ToyModels.Encoder(21), ToyModels.Tokenizer, splits, c, killed, new KillAt("ft", 5)));
        Assert.True(File.Exists(Path.Combine(killed, "checkpoint", "state.json")));
        Assert.False(File.Exists(Path.Combine(killed, "metrics.json")));
        var resumed = TrainRun.Run(ToyModels.Encoder(21), ToyModels.Tokenizer, splits, c, killed);

        var a = reference.Model.Encoder.state_dict();
        foreach (var (k, v) in resumed.Model.Encoder.state_dict())
            Assert.True(v.equal(a[k]).all().item<bool>(), $"{k} differs after resume");
        var ha = reference.Model.Head.state_dict();
        foreach (var (k, v) in resumed.Model.Head.state_dict()) Assert.True(v.equal(ha[k]).all().item<bool>(), k);
        Assert.Equal(File.ReadAllLines(Path.Combine(full, "log.jsonl")), File.ReadAllLines(Path.Combine(killed, "log.jsonl")));
        Assert.Equal(reference.Dev.Accuracy, resumed.Dev.Accuracy);
        Assert.False(Directory.Exists(Path.Combine(killed, "checkpoint")));   // removed once the run completes
        Assert.Equal(precision, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(killed, "model", "training_config.json")))!["precision"]!.GetValue<string>());
        Assert.All(resumed.Model.Encoder.parameters(), p => Assert.Equal(TorchSharp.torch.ScalarType.Float32, p.dtype));
        // metrics.json holds the saved model's float32 scores (what eval computes), whatever precision trained it
        var saved = ClassifierEvaluation.Evaluate(ClassifierDirectory.Load(Path.Combine(killed, "model")), data, labels);
        Assert.Equal(saved.CrossEntropy!.Value, resumed.Test!.CrossEntropy!.Value, 6);
    }

    [Fact]
    public void ACheckpointOfAnotherConfigurationIsRefused()
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, data, null, LabelSet.FromTrain(data, null), false);
        var c = new TrainConfig { BatchSize = 4, MaxLength = 32, CheckpointEvery = 1, Phases = [PhaseKind.FineTune], Ft = new FineTuneConfig { MaxEpochs = 2 } };
        string dir = Paths.TempDir();
        Assert.Throws<OperationCanceledException>(() =>
            TrainRun.Run(ToyModels.Encoder(1), ToyModels.Tokenizer, splits, c, dir, new KillAt("ft", 2)));
        var e = Assert.Throws<InvalidOperationException>(() =>
            TrainRun.Run(ToyModels.Encoder(1), ToyModels.Tokenizer, splits, c with { Seed = 5 }, dir));
        Assert.Contains("different configuration", e.Message);
    }

    static string Hash(string file) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));

    /// <summary>metrics.json without the wall-clock seconds, which a resumed run cannot reproduce.</summary>
    static string Metrics(string file)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!;
        void Strip(System.Text.Json.Nodes.JsonNode? n)
        {
            if (n is System.Text.Json.Nodes.JsonObject o)
                foreach (var key in o.Select(kv => kv.Key).ToList())
                    if (key.Contains("seconds")) o.Remove(key); else Strip(o[key]);
        }
        Strip(node);
        return node.ToJsonString();
    }

    [Fact]
    public void AKilledPretrainResumesToTheSameEncoder()
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, [], null, LabelSet.FromTrain(data, null), false);
        var c = new TrainConfig { BatchSize = 4, MaxLength = 32, Seed = 2, LogEvery = 1, CheckpointEvery = 1, Phases = [PhaseKind.SimCse],
            Pretrain = new PretrainConfig { Epochs = 2, Lr = 1e-3 } };
        string full = Paths.TempDir(), killed = Paths.TempDir();
        PretrainRun.Run(ToyModels.Encoder(5), ToyModels.Tokenizer, splits, c, full);
        Assert.Throws<OperationCanceledException>(() => PretrainRun.Run(ToyModels.Encoder(5), ToyModels.Tokenizer, splits, c, killed, new KillAt("simcse", 4)));
        PretrainRun.Run(ToyModels.Encoder(5), ToyModels.Tokenizer, splits, c, killed);
        Assert.Equal(Hash(Path.Combine(full, "model", "model.safetensors")), Hash(Path.Combine(killed, "model", "model.safetensors")));
        Assert.Equal(File.ReadAllLines(Path.Combine(full, "log.jsonl")), File.ReadAllLines(Path.Combine(killed, "log.jsonl")));
    }

    [Fact]
    public void AnAblationKilledMidVariantResumesToTheSameResults()
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, data, data, LabelSet.FromTrain(data, null), false);
        var c = new TrainConfig { BatchSize = 4, MaxLength = 32, LogEvery = 1, CheckpointEvery = 1,
            Dae = new DaeConfig { Epochs = 1, Lr = 1e-3 }, Cl = new ContrastiveConfig { Epochs = 2, Lr = 1e-3, Aug = 1 },
            Ft = new FineTuneConfig { MaxEpochs = 2, Lr = 1e-3, LrHead = 1e-2 } };
        string vocab = Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt"), full = Paths.TempDir(), killed = Paths.TempDir();
        string[] variants = ["dae+ft", "3phase"];
        AblationRun.Run("scratch:tiny", vocab, splits, c, variants, [1], full);
        Assert.Throws<OperationCanceledException>(() => AblationRun.Run("scratch:tiny", vocab, splits, c, variants, [1], killed, new KillAt("cl", 3)));
        Assert.True(File.Exists(Path.Combine(killed, "seed-1", "3phase", "checkpoint", "state.json")));
        AblationRun.Run("scratch:tiny", vocab, splits, c, variants, [1], killed);
        foreach (var v in variants)
        {
            foreach (var f in new[] { "model.safetensors", "head.safetensors" })
                Assert.Equal(Hash(Path.Combine(full, "seed-1", v, "model", f)), Hash(Path.Combine(killed, "seed-1", v, "model", f)));
            Assert.Equal(Metrics(Path.Combine(full, "seed-1", v, "metrics.json")), Metrics(Path.Combine(killed, "seed-1", v, "metrics.json")));
        }
    }

    [Fact]
    public void AKilledMultiTaskRunResumesToTheSameModelAndMetrics()
    {
        var config = MultiTask.MultiTaskTests.Tiny(pcgrad: true, pretrain: "simcse", sampler: "interleaved") with { Epochs = 2 };
        string full = Paths.TempDir(), killed = Paths.TempDir();
        MultiTaskRun.Run(config, full, maxSteps: 5, limitPerTask: 40);
        Assert.Throws<OperationCanceledException>(() => MultiTaskRun.Run(config, killed, new KillAt("multitask", 8), maxSteps: 5, limitPerTask: 40));
        MultiTaskRun.Run(config, killed, maxSteps: 5, limitPerTask: 40);
        foreach (var f in new[] { "model.safetensors", "multitask_heads.safetensors" })
            Assert.Equal(Hash(Path.Combine(full, "model", f)), Hash(Path.Combine(killed, "model", f)));
        Assert.Equal(Metrics(Path.Combine(full, "metrics.json")), Metrics(Path.Combine(killed, "metrics.json")));
        Assert.Equal(File.ReadAllLines(Path.Combine(full, "log.jsonl")), File.ReadAllLines(Path.Combine(killed, "log.jsonl")));
    }
}

using PhaseTune.Data;
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

    [Fact]
    public void KilledRunResumesToTheSameWeightsLogAndMetrics()
    {
        var data = ToyModels.Corpus();
        var labels = LabelSet.FromTrain(data, null);
        var splits = new DataSplits(data, data, data, labels, false);
        var c = new TrainConfig
        {
            BatchSize = 4, MaxLength = 32, Seed = 9, LogEvery = 1, CheckpointEvery = 2, Phases = [PhaseKind.Dae, PhaseKind.Contrastive, PhaseKind.FineTune],
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
}

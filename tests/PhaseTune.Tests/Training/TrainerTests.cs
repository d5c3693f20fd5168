using PhaseTune.Data;
using PhaseTune.Phases;
using PhaseTune.Runs;
using Xunit;

namespace PhaseTune.Tests.Training;

public class TrainerTests
{
    [Fact]
    public void ANonFiniteLossStopsTheRunNamingStepPhaseAndTheLastGoodCheckpoint()
    {
        var data = ToyModels.Corpus();
        var splits = new DataSplits(data, data, null, LabelSet.FromTrain(data, null), false);
        var c = new TrainConfig
        {
            BatchSize = 4, MaxLength = 32, CheckpointEvery = 1, Phases = [PhaseKind.FineTune],
            Ft = new FineTuneConfig { MaxEpochs = 5, Lr = 1e30, LrHead = 1e30, WarmupRatio = 0 },
        };
        string dir = Paths.TempDir();
        var e = Assert.Throws<InvalidOperationException>(() => TrainRun.Run(ToyModels.Encoder(3), ToyModels.Tokenizer, splits, c, dir));
        Assert.Matches(@"^ft: the loss became (NaN|∞|-∞|Infinity|-Infinity) at epoch \d+, batch \d+ \(optimiser step \d+\)", e.Message);
        Assert.Contains($"The last good checkpoint is {Path.Combine(dir, "checkpoint")} (phase ft,", e.Message);
        Assert.True(File.Exists(Path.Combine(dir, "checkpoint", "state.json")));
        Assert.False(File.Exists(Path.Combine(dir, "metrics.json")));
    }
}

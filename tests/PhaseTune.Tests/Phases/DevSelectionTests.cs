using PhaseTune.Data;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Training;
using Xunit;

namespace PhaseTune.Tests.Phases;

/// <summary>The DAE and contrastive phases keep their best weights on dev, checked a few times per epoch.</summary>
public class DevSelectionTests
{
    static DataSplits Toy(bool dev)
    {
        var data = ToyModels.Corpus();
        var devSet = dev ? data.Where((_, i) => i % 2 == 0).ToList() : [];
        return new DataSplits(data, devSet, null, LabelSet.FromTrain(data, null), false);
    }

    static readonly TrainConfig Config = new()
    {
        BatchSize = 2, MaxLength = 32, Seed = 5, CheckpointEvery = 0, SelectChecks = 3,
        Dae = new DaeConfig { Epochs = 2, Lr = 5e-3 }, Cl = new ContrastiveConfig { Epochs = 2, Lr = 5e-3, Aug = 2 },
    };

    [Theory]
    [InlineData(PhaseKind.Dae)]
    [InlineData(PhaseKind.Contrastive)]
    public void ThePhaseEndsWithTheWeightsOfItsBestDevCheck(PhaseKind kind)
    {
        var encoder = new SentenceEncoder(ToyModels.Encoder(6), PoolingMode.Mean);
        using var phase = PhaseFactory.Create(kind, encoder, ToyModels.Tokenizer, Toy(dev: true), Config);
        Assert.Equal(3, phase.ChecksPerEpoch);
        new Trainer(Paths.TempDir(), Config.ToTrainerOptions(), "id").Run(phase, 0);
        var selection = phase.Selection!;
        Assert.Equal(2 * 3, selection.History.Count);             // three checks in each of two epochs
        Assert.Equal(selection.History.Max(), selection.BestScore);
        phase.SetTraining(false);
        phase.Check(SilentObserver.Instance);                     // the restored weights score the best score again
        Assert.Equal(selection.BestScore, selection.History[^1], 4);
    }

    [Fact]
    public void NoDevSetOrSelectBestOffMeansNoSelection()
    {
        var encoder = new SentenceEncoder(ToyModels.Encoder(6), PoolingMode.Mean);
        using var withoutDev = PhaseFactory.Create(PhaseKind.Dae, encoder, ToyModels.Tokenizer, Toy(dev: false), Config);
        Assert.Null(withoutDev.Selection);
        Assert.Equal(0, withoutDev.ChecksPerEpoch);
        using var off = PhaseFactory.Create(PhaseKind.Contrastive, encoder, ToyModels.Tokenizer, Toy(dev: true), Config with { SelectBest = false });
        Assert.Null(off.Selection);
        using var ft = PhaseFactory.Create(PhaseKind.FineTune, encoder, ToyModels.Tokenizer, Toy(dev: true), Config);
        Assert.Null(ft.Selection);   // fine-tuning selects per epoch with early stopping instead
    }
}

using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Training;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Phases;

/// <summary>The SupCon / SimCLR stage as the MASSIVE report runs it: view dropout, a projection head, SGD with momentum
/// or AdamW, layer-wise decay, warmup, summed loss — and that each moves the encoder.</summary>
public class ContrastiveStageTests
{
    static TrainConfig Config(PhaseKind kind, string optimizer) => new()
    {
        Phases = [kind, PhaseKind.FineTune], BatchSize = 8, MaxLength = 32, Seed = 3, LogEvery = 1, CheckpointEvery = 0,
        Pretrain = new PretrainConfig
        {
            Epochs = 2, Lr = optimizer == "sgd" ? 0.05 : 1e-3, Optimizer = optimizer, Momentum = 0.99, Llrd = 0.9, WarmupRatio = 0.2,
            ViewDropout = 0.5, Projection = [16, 8], Reduction = "sum", NoiseRatio = 0,
        },
    };

    [Fact]
    public void TheProjectionHeadHasItsShapes()
    {
        var head = new ProjectionHead(32, [16, 8]);
        Assert.Equal(["linear0.weight", "linear0.bias", "linear1.weight", "linear1.bias"], head.named_parameters().Select(p => p.name));
        Assert.Equal(new long[] { 16, 32 }, head.named_parameters().First().parameter.shape);
        Assert.Equal(new long[] { 5, 8 }, head.forward(randn(5, 32)).shape);
        Assert.Throws<ArgumentException>(() => new ProjectionHead(32, []));
    }

    [Theory]
    [InlineData(PhaseKind.SupCon, "adamw")]
    [InlineData(PhaseKind.SimClr, "sgd")]
    public void EachStageMovesTheEncoderWithItsProjectionAndOptimiser(PhaseKind kind, string optimizer)
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(6), PoolingMode.Cls);
        var before = enc.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var data = ToyModels.Corpus();
        var c = Config(kind, optimizer).Validate();
        using var phase = (EmbeddingPretrainPhase)PhaseFactory.Create(kind, enc, ToyModels.Tokenizer,
            new PhaseTune.Data.DataSplits(data, data, null, PhaseTune.Data.LabelSet.FromTrain(data, null), false), c);
        Assert.Equal(optimizer == "sgd" ? typeof(PhaseTune.Training.Optimization.Sgd) : typeof(PhaseTune.Training.Optimization.FusedAdamW), phase.Optimizer.GetType());
        var lrs = phase.Optimizer.Groups.SelectMany(g => g.Parameters.Select(p => (p.Name, g.BaseLr))).ToDictionary(x => x.Name, x => x.BaseLr);
        Assert.Equal(c.Pretrain.Lr, lrs["projection.linear1.weight"], 12);                                   // the top rate
        Assert.Equal(c.Pretrain.Lr * 0.9 * 0.9, lrs["encoder.encoder.embeddings.word_embeddings.weight"], 12);  // two layers down
        Assert.Equal(0, phase.Schedule.Factor(0));                                                          // warmup starts at 0
        new Trainer(Paths.TempDir(), c.ToTrainerOptions(), c.ToJson()).Run(phase, 0);
        double moved = enc.named_parameters().Max(p => (p.parameter - before[p.name]).abs().max().item<float>());
        Assert.True(moved > 1e-4, $"{kind.Name()} left the encoder where it was (max change {moved})");
        // the projection is the stage's own: the encoder keeps no trace of it
        Assert.Null(enc.Projection);
        Assert.DoesNotContain(enc.named_parameters(), p => p.name.Contains("linear0"));
    }

    [Fact]
    public void StageOnlySettingsNeedAStageThatUsesThem()
    {
        var c = new TrainConfig { Phases = [PhaseKind.FineTune], Pretrain = new PretrainConfig { ViewDropout = 0.9 } };
        Assert.Contains("pretrain.view_dropout", Assert.Throws<ArgumentException>(() => c.Validate()).Message);
        var sgd = new TrainConfig { Phases = [PhaseKind.SimClr, PhaseKind.FineTune], Pretrain = new PretrainConfig { Optimizer = "lamb" } };
        Assert.Contains("pretrain.optimizer must be adamw or sgd", Assert.Throws<ArgumentException>(() => sgd.Validate()).Message);
        var cosine = new TrainConfig { Phases = [PhaseKind.FineTune], Ft = new FineTuneConfig { TMax = 10 } };
        Assert.Contains("ft.eta_min and ft.t_max need ft.schedule = \"cosine\"", Assert.Throws<ArgumentException>(() => cosine.Validate()).Message);
    }
}

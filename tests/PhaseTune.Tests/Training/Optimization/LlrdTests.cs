using PhaseTune.Data;
using PhaseTune.Models;
using PhaseTune.Phases;
using PhaseTune.Training.Optimization;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Training.Optimization;

public class LlrdTests
{
    [Theory]
    [InlineData("encoder.encoder.encoder.layer.11.attention.self.query.weight", 12, 0)]
    [InlineData("encoder.encoder.encoder.layer.0.output.dense.bias", 12, 11)]
    [InlineData("encoder.encoder.embeddings.word_embeddings.weight", 12, 12)]
    [InlineData("encoder.encoder.pooler.dense.weight", 12, 0)]
    public void DistanceFromTheTop(string name, int layers, int distance) =>
        Assert.Equal(distance, LayerwiseLrDecay.Distance(name, layers));

    [Fact]
    public void FineTuningGroupsCarryDecayedLearningRates()
    {
        var enc = new SentenceEncoder(ToyModels.Encoder(1), PoolingMode.Cls);   // 2 layers
        var data = ToyModels.Corpus();
        var c = new TrainConfig { Ft = new FineTuneConfig { Lr = 1e-3, LrHead = 5e-3, Llrd = 0.5 } };
        using var phase = new FineTunePhase(enc, ToyModels.Tokenizer, data, data, LabelSet.FromTrain(data, null), c);
        double LrOf(string name) => phase.Optimizer.Groups.Single(g => g.Parameters.Any(p => p.Name == name)).BaseLr;
        Assert.Equal(1e-3, LrOf("encoder.encoder.encoder.layer.1.attention.self.query.weight"), 12);
        Assert.Equal(5e-4, LrOf("encoder.encoder.encoder.layer.0.attention.self.query.weight"), 12);
        Assert.Equal(2.5e-4, LrOf("encoder.encoder.embeddings.word_embeddings.weight"), 12);
        Assert.Equal(2.5e-4, LrOf("encoder.encoder.embeddings.LayerNorm.weight"), 12);
        Assert.Equal(5e-3, LrOf("head.dense.weight"), 12);
        // every trainable parameter is in exactly one group; biases and LayerNorm get no weight decay
        var all = phase.Optimizer.Groups.SelectMany(g => g.Parameters.Select(p => p.Name)).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(phase.StateParameters.Count, all.Count);
        Assert.All(phase.Optimizer.Groups.Where(g => g.Parameters.Any(p => p.Name.EndsWith(".bias"))), g => Assert.Equal(0, g.WeightDecay));
    }

    [Fact]
    public void SgdWithMomentumMatchesTorch()
    {
        manual_seed(5);
        var a = nn.Parameter(randn(3, 2));
        var b = nn.Parameter(a.detach().clone());
        var target = randn(3, 2);
        var ours = new Sgd([new ParameterGroup("g", [("a", a)], 0.1, 0.01)], momentum: 0.9);
        var theirs = optim.SGD([b], 0.1, momentum: 0.9, weight_decay: 0.01);
        for (int i = 0; i < 10; i++)
        {
            ours.ZeroGrad(); theirs.zero_grad();
            (a - target).pow(2).sum().backward();
            (b - target).pow(2).sum().backward();
            ours.Step(); theirs.step();
        }
        Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
    }
}

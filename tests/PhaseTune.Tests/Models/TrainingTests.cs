using PhaseTune.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Models;

/// <summary>The encoder trains: dropout is live in train mode, gradients reach every layer, a loss falls.</summary>
public class TrainingTests
{
    static BertModel Tiny(int seed)
    {
        torch.manual_seed(seed);
        return new BertModel(new EncoderConfig
        {
            VocabSize = 64, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 64,
            MaxPositionEmbeddings = 32, TypeVocabSize = 2,
        });
    }

    static (Tensor Ids, Tensor Mask, Tensor Types) Batch()
    {
        var ids = tensor(new long[] { 2, 5, 9, 11, 3, 0, 2, 7, 8, 3, 0, 0, 2, 40, 41, 42, 43, 3 }, [3, 6]);
        var mask = ids.ne(0).to_type(ScalarType.Int64);
        return (ids, mask, zeros_like(ids));
    }

    [Fact]
    public void DropoutIsActiveOnlyInTrainMode()
    {
        var model = Tiny(1);
        var (ids, mask, types) = Batch();
        model.train();
        using (no_grad())
            Assert.False(model.forward(ids, mask, types).allclose(model.forward(ids, mask, types)));
        model.eval();
        using (no_grad())
            Assert.True(model.forward(ids, mask, types).allclose(model.forward(ids, mask, types)));
    }

    [Fact]
    public void SetDropoutZeroMakesTrainModeComputeWhatEvalModeComputesAndGoesIntoTheConfig()
    {
        var model = Tiny(1);
        var (ids, mask, types) = Batch();
        model.SetDropout(0);
        Assert.Equal(0, model.Config.HiddenDropoutProb);
        Assert.Equal(0, model.Config.AttentionProbsDropoutProb);
        Tensor eval;
        model.eval();
        using (no_grad()) eval = model.forward(ids, mask, types);
        model.train();
        using (no_grad()) Assert.True(model.forward(ids, mask, types).allclose(eval));
        model.SetDropout(0.5);
        using (no_grad()) Assert.False(model.forward(ids, mask, types).allclose(eval));
        Assert.Throws<InvalidDataException>(() => model.SetDropout(1.5));
    }

    [Fact]
    public void AdamWStepsReduceALossAndGradientsReachEveryParameter()
    {
        var model = Tiny(2);
        var (ids, mask, types) = Batch();
        var labels = tensor(new long[] { 0, 1, 2 });
        var head = nn.Linear(32, 3);
        var opt = optim.AdamW(model.parameters().Concat(head.parameters()), lr: 1e-3);
        model.train();
        var losses = new List<float>();
        for (int step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            var pooled = Pooling.Pool(model.forward(ids, mask, types), mask, PoolingMode.Mean, model);
            var loss = nn.functional.cross_entropy(head.forward(pooled), labels);
            loss.backward();
            if (step == 0)
                foreach (var (name, p) in model.named_parameters().Where(np => !np.name.StartsWith("pooler.")))
                    Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, $"no gradient for {name}");
            opt.step();
            losses.Add(loss.item<float>());
        }
        Assert.True(losses[^1] < 0.5 * losses[0], $"loss {losses[0]:F3} -> {losses[^1]:F3}");
    }

    [Fact]
    public void TrainingStepsDoNotLeakTensors()
    {
        var model = Tiny(3);
        var (ids, mask, types) = Batch();
        var opt = optim.AdamW(model.parameters(), lr: 1e-3);
        void Step()
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            model.forward(ids, mask, types).pow(2).mean().backward();
            opt.step();
        }
        Step(); Step();   // optimizer state is allocated in the first steps
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void InitZeroesThePaddingRowAndFollowsInitializerRange()
    {
        var model = Tiny(4);
        var w = model.state_dict()["embeddings.word_embeddings.weight"];
        Assert.Equal(0f, w[0].abs().sum().item<float>());
        double std = model.state_dict()["encoder.layer.0.attention.self.query.weight"].std().item<float>();
        Assert.InRange(std, 0.015, 0.025);
        Assert.Equal(1f, model.state_dict()["embeddings.LayerNorm.weight"].mean().item<float>());
    }
}

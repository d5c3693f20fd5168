using PhaseTune.Training.Optimization;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Training.Optimization;

public class OptimizerTests
{
    [Fact]
    public void AdamWMatchesTorchAdamW()
    {
        manual_seed(11);
        var a = nn.Parameter(randn(4, 3));
        var b = nn.Parameter(a.detach().clone());
        var target = randn(4, 3);
        var ours = new FusedAdamW([new ParameterGroup("g", [("a", a)], 0.01, 0.1)]);
        var theirs = optim.AdamW([b], lr: 0.01, weight_decay: 0.1);
        for (int i = 0; i < 20; i++)
        {
            ours.ZeroGrad(); theirs.zero_grad();
            (a - target).pow(2).sum().backward();
            (b - target).pow(2).sum().backward();
            ours.Step(); theirs.step();
        }
        Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6), $"max diff {(a - b).abs().max().item<float>()}");
    }

    [Fact]
    public void FusedAdamWMatchesTorchOnLargeParametersAndTwoGroups()
    {
        // 200,003 elements: several parallel chunks and a scalar tail; one group without weight decay
        manual_seed(13);
        var (a1, a2) = (nn.Parameter(randn(200_003)), nn.Parameter(randn(37, 5)));
        var (b1, b2) = (nn.Parameter(a1.detach().clone()), nn.Parameter(a2.detach().clone()));
        var (t1, t2) = (randn(200_003), randn(37, 5));
        var start = a1.detach().clone();
        var ours = new FusedAdamW([new ParameterGroup("decay", [("a1", a1)], 3e-3, 0.01), new ParameterGroup("none", [("a2", a2)], 1e-2, 0)]);
        var theirs1 = optim.AdamW([b1], lr: 3e-3, weight_decay: 0.01);
        var theirs2 = optim.AdamW([b2], lr: 1e-2, weight_decay: 0);
        for (int i = 0; i < 5; i++)
        {
            ours.ZeroGrad(); theirs1.zero_grad(); theirs2.zero_grad();
            ((a1 - t1).pow(3).sum() + (a2 - t2).pow(2).sum()).backward();
            ((b1 - t1).pow(3).sum() + (b2 - t2).pow(2).sum()).backward();
            ours.Step(); theirs1.step(); theirs2.step();
        }
        Assert.True(a1.allclose(b1, rtol: 1e-5, atol: 1e-6), $"max diff {(a1 - b1).abs().max().item<float>()}");
        Assert.True(a2.allclose(b2, rtol: 1e-5, atol: 1e-6), $"max diff {(a2 - b2).abs().max().item<float>()}");
        Assert.False(a1.allclose(start), "five steps must move the parameters");
    }

    [Fact]
    public void OptimizerStateRoundTripsThroughACheckpoint()
    {
        manual_seed(12);
        var p = nn.Parameter(randn(5));
        var opt = new FusedAdamW([new ParameterGroup("g", [("p", p)], 0.05, 0)]);
        p.sum().backward(); opt.Step();
        var saved = opt.StateTensors().ToDictionary(t => t.Item1, t => t.Item2.clone());
        var q = nn.Parameter(p.detach().clone());
        var restored = new FusedAdamW([new ParameterGroup("g", [("p", q)], 0.05, 0)]);
        restored.LoadState(opt.StepCount, n => saved.GetValueOrDefault(n));
        p.grad!.zero_(); p.pow(2).sum().backward(); opt.Step();
        q.pow(2).sum().backward(); restored.Step();
        Assert.True(p.equal(q).all().item<bool>());
    }

    [Fact]
    public void LinearScheduleWarmsUpThenDecaysToZero()
    {
        var s = LrSchedule.Create("linear", 0.2, 100);
        Assert.Equal(20, s.WarmupSteps);
        Assert.Equal(0, s.Factor(0));
        Assert.Equal(0.5, s.Factor(10), 6);
        Assert.Equal(1, s.Factor(20), 6);
        Assert.Equal(0.5, s.Factor(60), 6);
        Assert.Equal(0, s.Factor(100), 6);
        Assert.Equal(1, LrSchedule.Create("constant", 0, 100).Factor(57));
        Assert.Equal(0.1, LrSchedule.Create("cosine", 0, 100, 0.1).Factor(100), 6);
    }
}

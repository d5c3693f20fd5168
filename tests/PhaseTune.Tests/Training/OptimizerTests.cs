using PhaseTune.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Training;

public class OptimizerTests
{
    [Fact]
    public void AdamWMatchesTorchAdamW()
    {
        manual_seed(11);
        var a = nn.Parameter(randn(4, 3));
        var b = nn.Parameter(a.detach().clone());
        var target = randn(4, 3);
        var ours = new AdamW([new ParamGroup("g", [("a", a)], 0.01, 0.1)]);
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
    public void OptimizerStateRoundTripsThroughACheckpoint()
    {
        manual_seed(12);
        var p = nn.Parameter(randn(5));
        var opt = new AdamW([new ParamGroup("g", [("p", p)], 0.05, 0)]);
        p.sum().backward(); opt.Step();
        var saved = opt.StateTensors().ToDictionary(t => t.Item1, t => t.Item2.clone());
        var q = nn.Parameter(p.detach().clone());
        var restored = new AdamW([new ParamGroup("g", [("p", q)], 0.05, 0)]);
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

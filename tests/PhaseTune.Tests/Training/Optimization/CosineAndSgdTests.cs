using PhaseTune.Training.Optimization;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Training.Optimization;

/// <summary>PyTorch's CosineAnnealingLR (T_max in epochs, eta_min) and SGD with momentum, at known steps.</summary>
public class CosineAndSgdTests
{
    [Fact]
    public void CosineWithTMaxInEpochsAndEtaMinMatchesCosineAnnealingLR()
    {
        // 10 steps per epoch, T_max = 10 epochs, eta_min = 1e-6, base lr 1e-4 (the MASSIVE report's Table 1)
        var s = LrSchedule.Create("cosine", 0, 200, etaMin: 1e-6, tMaxEpochs: 10, stepsPerEpoch: 10);
        double Expected(int epoch) => 1e-6 + (1e-4 - 1e-6) * 0.5 * (1 + Math.Cos(Math.PI * epoch / 10));
        Assert.Equal(1e-4, s.Lr(1e-4, 0), 15);
        Assert.Equal(1e-4, s.Lr(1e-4, 9), 15);                 // constant within the first epoch
        Assert.Equal(Expected(1), s.Lr(1e-4, 10), 15);
        Assert.Equal((1e-4 + 1e-6) / 2, s.Lr(1e-4, 50), 15);    // half-way: the mean of peak and floor
        Assert.Equal(1e-6, s.Lr(1e-4, 100), 15);                // T_max: the floor
        Assert.Equal(Expected(15), s.Lr(1e-4, 155), 15);         // past T_max it rises again, as PyTorch's does
        Assert.Equal(1e-4, s.Lr(1e-4, 200), 15);
        // the floor is a learning rate, the same for every group: a group at 1e-2 ends at 1e-6 too
        Assert.Equal(1e-6, s.Lr(1e-2, 100), 15);
        // without T_max: one decay over the run, per step, as before
        var plain = LrSchedule.Create("cosine", 0, 100);
        Assert.Equal(0.5, plain.Factor(50), 12);
        Assert.Equal(0.5 * 1e-4, plain.Lr(1e-4, 50), 15);
        Assert.Throws<ArgumentException>(() => LrSchedule.Create("linear", 0, 100, etaMin: 1e-6));
    }

    [Fact]
    public void SgdMomentumAccumulatesAsPyTorchDoes()
    {
        // a constant gradient g: buf₁ = g, buf₂ = μ·g + g; p₂ = p₀ − lr·(1 + (1 + μ))·g
        var p = nn.Parameter(tensor(new float[] { 1, -2 }));
        var opt = new Sgd([new ParameterGroup("g", [("p", p)], 0.1, 0)], momentum: 0.99);
        var g = tensor(new float[] { 0.5f, 2 });
        for (int i = 0; i < 2; i++)
        {
            opt.ZeroGrad();
            (p * g).sum().backward();
            opt.Step();
        }
        var expected = tensor(new float[] { 1, -2 }) - 0.1 * (1 + 1.99) * g;
        Assert.True(p.allclose(expected, 1e-6, 1e-6), $"{string.Join(", ", p.data<float>().ToArray())}");
        // and torch's own SGD agrees
        var q = nn.Parameter(tensor(new float[] { 1, -2 }));
        var torchSgd = optim.SGD([q], 0.1, momentum: 0.99);
        for (int i = 0; i < 2; i++)
        {
            torchSgd.zero_grad();
            (q * g).sum().backward();
            torchSgd.step();
        }
        Assert.True(p.allclose(q, 1e-6, 1e-6));
    }
}

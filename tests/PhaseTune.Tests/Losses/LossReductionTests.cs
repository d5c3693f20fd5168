using PhaseTune.Losses;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Losses;

/// <summary>SupCon and NT-Xent with reduction "sum" (the MASSIVE report's eq. 1, its Table 8) and "mean", by hand.</summary>
public class LossReductionTests
{
    static readonly double E = Math.E;

    // example 0: views a1 = (1, 0), a2 = (0, 1); example 1: views b1 = (1, 0), b2 = (-1, 0)
    static Tensor Views() => tensor(new float[] { 1, 0, 0, 1, 1, 0, -1, 0 }, [2, 2, 2]);

    // τ = 1; each anchor's log-probability of its single positive (the other view of its example)
    static readonly double[] PerAnchor = [-(0 - Math.Log(1 + E + 1 / E)), Math.Log(3), -(-1 - Math.Log(E + 1 + 1 / E)), -(-1 - Math.Log(1 + 2 / E))];

    [Fact]
    public void SupConSumsOrAveragesItsAnchors()
    {
        var labels = tensor(new long[] { 0, 1 });
        double sum = new SupConLoss(1, 1, "sum").Forward(new ViewsBatch(Views(), labels)).item<float>();
        double mean = new SupConLoss(1, 1, "mean").Forward(new ViewsBatch(Views(), labels)).item<float>();
        Assert.Equal(PerAnchor.Sum(), sum, 5);
        Assert.Equal(PerAnchor.Average(), mean, 5);
        Assert.Throws<ArgumentException>(() => new SupConLoss(reduction: "max"));
    }

    [Fact]
    public void NtXentSumsOrAveragesItsAnchors()
    {
        double sum = new NtXentLoss(1, "sum").Forward(new ViewsBatch(Views(), null)).item<float>();
        double mean = new NtXentLoss(1).Forward(new ViewsBatch(Views(), null)).item<float>();
        Assert.Equal(PerAnchor.Sum(), sum, 5);
        Assert.Equal(PerAnchor.Average(), mean, 5);
        Assert.Throws<ArgumentException>(() => new NtXentLoss(1, "none"));
    }
}

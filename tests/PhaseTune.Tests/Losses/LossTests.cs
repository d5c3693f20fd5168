using PhaseTune.Losses;
using PhaseTune.Text;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Losses;

/// <summary>Each loss against its formula worked by hand on a few 2-d vectors.</summary>
public class LossTests
{
    static readonly double E = Math.E;

    // example 0: views a1 = (1, 0), a2 = (0, 1); example 1: views b1 = (1, 0), b2 = (-1, 0)
    static Tensor Views() => tensor(new float[] { 1, 0, 0, 1, 1, 0, -1, 0 }, [2, 2, 2]);

    static double Value(Tensor t) => t.item<float>();

    [Fact]
    public void SupConWithDistinctLabels()
    {
        // anchors a1, a2, b1, b2 (τ = 1): log-probabilities of their single positive
        double la1 = 0 - Math.Log(1 + E + 1 / E), la2 = -Math.Log(3), lb1 = -1 - Math.Log(E + 1 + 1 / E), lb2 = -1 - Math.Log(1 + 2 / E);
        double expected = -(la1 + la2 + lb1 + lb2) / 4;
        Assert.Equal(expected, Value(new SupConLoss(1, 1).Forward(new ViewsBatch(Views(), tensor(new long[] { 0, 1 })))), 5);
    }

    [Fact]
    public void SupConWithOneSharedLabelAveragesOverAllPositives()
    {
        // all four views share a label: every other view is a positive
        double Row(double[] dots) => dots.Average() - Math.Log(dots.Sum(d => Math.Exp(d)));
        double a1 = Row([0, 1, -1]), a2 = Row([0, 0, 0]), b1 = Row([1, 0, -1]), b2 = Row([-1, 0, -1]);
        double expected = -(a1 + a2 + b1 + b2) / 4 * (1 / 0.5);   // τ / base τ = 1 / 0.5
        Assert.Equal(expected, Value(new SupConLoss(1, 0.5).Forward(new ViewsBatch(Views(), tensor(new long[] { 3, 3 })))), 5);
    }

    [Fact]
    public void NtXentIsCrossEntropyAgainstTheOtherView()
    {
        double la1 = 0 - Math.Log(1 + E + 1 / E), la2 = -Math.Log(3), lb1 = -1 - Math.Log(E + 1 + 1 / E), lb2 = -1 - Math.Log(1 + 2 / E);
        Assert.Equal(-(la1 + la2 + lb1 + lb2) / 4, Value(new NtXentLoss(1).Forward(new ViewsBatch(Views(), null))), 5);
        // with τ = 0.5 every dot product doubles
        double e2 = Math.Exp(2), m2 = Math.Exp(-2);
        double h1 = -Math.Log(1 + e2 + m2), h2 = -Math.Log(3), h3 = -2 - Math.Log(e2 + 1 + m2), h4 = -2 - Math.Log(1 + 2 * m2);
        Assert.Equal(-(h1 + h2 + h3 + h4) / 4, Value(new NtXentLoss(0.5).Forward(new ViewsBatch(Views(), null))), 5);
    }

    static readonly float S = (float)(1 / Math.Sqrt(2));

    [Fact]
    public void MultipleNegativesRankingWithAndWithoutHardNegatives()
    {
        var anchors = tensor(new float[] { 1, 0, 0, 1 }, [2, 2]);
        var positives = tensor(new float[] { 2, 0, 1, 1 }, [2, 2]);    // normalised: (1, 0), (s, s)
        var negatives = tensor(new float[] { -1, 0, 0, -3 }, [2, 2]);  // (-1, 0), (0, -1)
        double s = S;
        double row0 = -(1 - Math.Log(E + Math.Exp(s))), row1 = -(s - Math.Log(1 + Math.Exp(s)));
        Assert.Equal((row0 + row1) / 2, Value(new MultipleNegativesRankingLoss(1).Forward(new RankingBatch(anchors, positives))), 5);
        double hard0 = -(1 - Math.Log(E + Math.Exp(s) + 1 / E + 1)), hard1 = -(s - Math.Log(1 + Math.Exp(s) + 1 + 1 / E));
        Assert.Equal((hard0 + hard1) / 2, Value(new MultipleNegativesRankingLoss(1).Forward(new RankingBatch(anchors, positives, negatives))), 5);
        // scale 20 multiplies every score
        double s20 = (-(20 - Math.Log(Math.Exp(20) + Math.Exp(20 * s))) - (20 * s - Math.Log(1 + Math.Exp(20 * s)))) / 2;
        Assert.Equal(s20, Value(new MultipleNegativesRankingLoss().Forward(new RankingBatch(anchors, positives))), 4);
    }

    [Fact]
    public void SimCseIsRankingAtScaleOneOverTemperature()
    {
        manual_seed(3);
        var batch = new RankingBatch(randn(5, 4), randn(5, 4), randn(5, 4));
        Assert.Equal(Value(new MultipleNegativesRankingLoss(20).Forward(batch)), Value(new SimCseLoss(0.05).Forward(batch)), 5);
    }

    [Fact]
    public void MseAndBinaryCrossEntropy()
    {
        Assert.Equal(2.5, Value(new MseLoss().Forward(new ScoreBatch(tensor(new float[] { 1, 2 }), tensor(new float[] { 0, 4 })))), 6);
        double bce = (Math.Log(2) + Math.Log(1 + Math.Exp(2))) / 2;
        Assert.Equal(bce, Value(new BinaryCrossEntropyLoss().Forward(new ScoreBatch(tensor(new float[] { 0, 2 }), tensor(new float[] { 1, 0 })))), 5);
    }

    [Fact]
    public void CosineSimilarityLossIsMseOfCosines()
    {
        var enc = new PhaseTune.Models.SentenceEncoder(ToyModels.Encoder(2), PhaseTune.Models.PoolingMode.Cls);
        enc.eval();
        var tok = ToyModels.Tokenizer;
        var a = TokenBatch.Encode(tok, ["red apple", "blue sky"], 16);
        var b = TokenBatch.Encode(tok, ["green apple", "dark night"], 16);
        using var _ = no_grad();
        var u = enc.forward(a.Ids, a.Mask, a.Types);
        var v = enc.forward(b.Ids, b.Mask, b.Types);
        double c0 = nn.functional.cosine_similarity(u[0].unsqueeze(0), v[0].unsqueeze(0)).item<float>();
        double c1 = nn.functional.cosine_similarity(u[1].unsqueeze(0), v[1].unsqueeze(0)).item<float>();
        double expected = ((c0 - 1) * (c0 - 1) + (c1 - 0) * (c1 - 0)) / 2;
        var loss = new CosineSimilarityLoss(enc).Forward(new PairBatch(a, b, tensor(new float[] { 1, 0 })));
        Assert.Equal(expected, Value(loss), 5);
    }
}

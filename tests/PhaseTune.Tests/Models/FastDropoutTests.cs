using PhaseTune.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Models;

public class FastDropoutTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void KeepsOneMinusPAndScalesTheRest(double p)
    {
        torch.manual_seed(1);
        var m = FastDropout.Mask([1000, 1003], p);
        var kept = m.ne(0);
        double keep = kept.to_type(ScalarType.Float64).mean().item<double>();
        // 1M draws: the standard error of the fraction is below 5e-4
        Assert.InRange(keep, 1 - p - 0.002, 1 - p + 0.002);
        Assert.True(m.masked_select(kept).eq((float)(1 / (1 - p))).all().item<bool>());
        // neighbouring elements must not be correlated (a weak hash would show it here)
        var a = kept.reshape(-1)[..^1].to_type(ScalarType.Float64);
        var b = kept.reshape(-1)[1..].to_type(ScalarType.Float64);
        double both = (a * b).mean().item<double>();
        Assert.InRange(both, keep * keep - 0.003, keep * keep + 0.003);
    }

    [Fact]
    public void TheMaskFollowsTorchsSeed()
    {
        torch.manual_seed(7);
        var a = FastDropout.Mask([40], 0.3);
        var c = FastDropout.Mask([40], 0.3);
        torch.manual_seed(7);
        var b = FastDropout.Mask([40], 0.3);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.False(a.equal(c).all().item<bool>());
        // the scalar tail (elements past the last whole vector) draws what the vector loop would have drawn
        torch.manual_seed(7);
        var shorter = FastDropout.Mask([20], 0.3);
        Assert.True(shorter.equal(a[..20]).all().item<bool>());
    }

    [Fact]
    public void GradientIsTheMask()
    {
        torch.manual_seed(3);
        var x = randn(64, 8).requires_grad_(true);
        var y = FastDropout.Apply(x, 0.25, training: true);
        y.sum().backward();
        var g = x.grad!;
        Assert.True((g.ne(0)).equal(y.ne(0)).all().item<bool>());
        Assert.True(y.allclose(x.detach() * g));
    }

    [Fact]
    public void EvalZeroAndOneBehaveLikeTorch()
    {
        var x = randn(5, 5);
        var d = new FastDropout(0.4);
        d.eval();
        Assert.True(d.forward(x).equal(x).all().item<bool>());
        Assert.True(FastDropout.Apply(x, 0, training: true).equal(x).all().item<bool>());
        Assert.Equal(0f, FastDropout.Apply(x, 1, training: true).abs().sum().item<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FastDropout(1.5));
    }

    [Fact]
    public void AttentionDropoutIsSoftmaxTimesTheSeededMask()
    {
        var config = EncoderConfig.Load(Path.Combine(Paths.Fixture("tiny-bert"), "config.json")) with { AttentionProbsDropoutProb = 0.2 };
        var attn = new BertSelfAttention(config);
        attn.train();
        long b = 2, t = 5, c = config.HiddenSize, nh = config.NumAttentionHeads, hs = c / nh;
        var x = randn(b, t, c);
        var mask = BertModel.ExtendedMask(tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, [b, t]));
        torch.manual_seed(11);
        var y = attn.Attend(x, x, mask);
        var sd = attn.state_dict();
        Tensor Heads(string n) => nn.functional.linear(x, sd[n + ".weight"], sd[n + ".bias"]).view(b, t, nh, hs).transpose(1, 2);
        var probs = (Heads("query").matmul(Heads("key").transpose(-2, -1)) / Math.Sqrt(hs) + mask).softmax(-1);
        torch.manual_seed(11);
        var expected = (probs * FastDropout.Mask(probs.shape, 0.2)).matmul(Heads("value")).transpose(1, 2).reshape(b, t, c);
        Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));
        attn.eval();
        Assert.False(attn.Attend(x, x, mask).allclose(y), "eval mode must not drop");
    }
}

using PhaseTune.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Models;

public class AttentionTests
{
    /// <summary>Short sequences take the explicit product, long ones libtorch's fused kernel: both are softmax attention.</summary>
    [Theory]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(100)]
    public void BothKernelsComputeMaskedSoftmaxAttention(int t)
    {
        var config = EncoderConfig.Load(Path.Combine(Paths.Fixture("tiny-bert"), "config.json")) with { MaxPositionEmbeddings = 128 };
        torch.manual_seed(t);
        var attn = new BertSelfAttention(config);
        attn.eval();
        long b = 2, c = config.HiddenSize, nh = config.NumAttentionHeads, hs = c / nh;
        var x = randn(b, t, c);
        var keep = ones(b, t, dtype: ScalarType.Int64);
        keep[1, (t / 2)..] = tensor(0L);
        var mask = BertModel.ExtendedMask(keep);
        using var _ = no_grad();
        var y = attn.Attend(x, x, mask);
        var sd = attn.state_dict();
        Tensor Heads(string n) => nn.functional.linear(x, sd[n + ".weight"], sd[n + ".bias"]).view(b, t, nh, hs).transpose(1, 2);
        var probs = (Heads("query").matmul(Heads("key").transpose(-2, -1)) / Math.Sqrt(hs) + mask).softmax(-1);
        var expected = probs.matmul(Heads("value")).transpose(1, 2).reshape(b, t, c);
        Assert.True(y.allclose(expected, rtol: 1e-4, atol: 1e-5), $"max diff {(y - expected).abs().max().item<float>()}");
    }
}

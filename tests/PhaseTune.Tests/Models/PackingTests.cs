using PhaseTune.ModelFiles;
using PhaseTune.Models;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Models;

/// <summary>Skipping padding (dense layers on real tokens only) must not change any value a caller can read.</summary>
public class PackingTests
{
    static (Tensor Ids, Tensor Mask, Tensor Types) ReferenceBatch(string fixture)
    {
        var r = EncoderReferenceTests.Reference(fixture);
        return (EncoderReferenceTests.Ints(r["input_ids"]!), EncoderReferenceTests.Ints(r["attention_mask"]!), EncoderReferenceTests.Ints(r["token_type_ids"]!));
    }

    [Theory]
    [InlineData("tiny-bert")]
    [InlineData("tiny-roberta")]
    public void RealTokensAndEveryPoolingMatchThePaddedComputation(string fixture)
    {
        var model = ModelDirectory.Load(Paths.Fixture(fixture)).Model;
        model.eval();
        var (ids, mask, types) = ReferenceBatch(fixture);
        Assert.True(mask.eq(0).any().item<bool>(), "the reference batch must contain padding for this test to mean anything");
        using var _ = no_grad();
        var full = model.forward(ids, mask, types);
        var packed = model.Forward(ids, mask, types, skipPadding: true);
        var real = mask.unsqueeze(-1).to_type(ScalarType.Float32);
        Assert.True((full * real).allclose(packed, rtol: 0, atol: 1e-5), "real tokens differ");
        Assert.Equal(0.0, packed.mul(1 - real).abs().max().item<float>());
        foreach (var mode in Enum.GetValues<PoolingMode>())
        {
            var viaEncoder = new SentenceEncoder(model, mode).forward(ids, mask, types);
            Assert.True(Pooling.Pool(full, mask, mode, model).allclose(viaEncoder, rtol: 0, atol: 1e-5), $"{mode} pooling differs");
        }
    }

    [Fact]
    public void GradientsMatchThePaddedComputation()
    {
        var model = ModelDirectory.Load(Paths.Fixture("tiny-bert")).Model;
        model.eval();   // no dropout: both paths must be the same function
        var (ids, mask, types) = ReferenceBatch("tiny-bert");
        Dictionary<string, Tensor> Grads(bool skip)
        {
            model.zero_grad();
            Pooling.Pool(model.Forward(ids, mask, types, skip), mask, PoolingMode.Mean, model).pow(2).sum().backward();
            return model.named_parameters().Where(p => p.parameter.grad is not null)
                .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        }
        var full = Grads(false);
        var packed = Grads(true);
        Assert.Equal(full.Keys.Order(), packed.Keys.Order());
        Assert.Contains("encoder.layer.0.attention.self.query.weight", full.Keys);
        foreach (var (name, g) in full)
            Assert.True(g.allclose(packed[name], rtol: 1e-4, atol: 1e-6), $"gradient of {name} differs");
    }

    [Fact]
    public void APaddedBatchGivesEachSentenceItsOwnVector()
    {
        var model = ModelDirectory.Load(Paths.Fixture("tiny-roberta")).Model;
        model.eval();
        var encoder = new SentenceEncoder(model, PoolingMode.Mean);
        var (ids, mask, types) = ReferenceBatch("tiny-roberta");
        using var _ = no_grad();
        var batch = encoder.forward(ids, mask, types);
        for (int r = 0; r < ids.shape[0]; r++)
        {
            int len = (int)mask[r].sum().item<long>();
            var alone = encoder.forward(ids[r..(r + 1), ..len], mask[r..(r + 1), ..len], types[r..(r + 1), ..len]);
            Assert.True(alone[0].allclose(batch[r], rtol: 0, atol: 1e-5), $"row {r}");
        }
    }

    [Fact]
    public void DecoderStatesAtRealTokensDoNotDependOnPadding()
    {
        var model = ModelDirectory.Load(Paths.Fixture("tiny-bert")).Model;
        var decoder = new BertDecoder(model, tie: true);
        decoder.eval();
        var (ids, mask, _) = ReferenceBatch("tiny-bert");
        using var _ = no_grad();
        var memory = randn(ids.shape[0], 1, model.Config.HiddenSize);
        var batch = decoder.forward(ids, mask, memory);
        for (int r = 0; r < ids.shape[0]; r++)
        {
            int len = (int)mask[r].sum().item<long>();
            var alone = decoder.forward(ids[r..(r + 1), ..len], mask[r..(r + 1), ..len], memory[r..(r + 1)]);
            Assert.True(alone[0].allclose(batch[r, ..len], rtol: 0, atol: 1e-5), $"row {r}");
        }
    }

    [Fact]
    public void NoPaddingMeansNoPacking()
    {
        Assert.Null(Packing.For(ones(3, 5, dtype: ScalarType.Int64)));
        var p = Packing.For(tensor(new long[] { 1, 1, 0, 1, 0, 0 }, [2, 3]))!;
        Assert.Equal(new long[] { 0, 1, 3 }, p.Index.data<long>().ToArray());
        var x = arange(6 * 2, dtype: ScalarType.Float32).view(2, 3, 2);
        var packed = p.ToPacked(x);
        Assert.Equal(new long[] { 3, 2 }, packed.shape);
        var back = p.ToPadded(packed);
        Assert.Equal(new float[] { 0, 1, 2, 3, 0, 0, 6, 7, 0, 0, 0, 0 }, back.data<float>().ToArray());
    }
}

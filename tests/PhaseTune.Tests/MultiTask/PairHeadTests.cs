using PhaseTune.Data;
using PhaseTune.Models;
using PhaseTune.MultiTask;
using PhaseTune.Text;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.MultiTask;

public class PairHeadTests
{
    static readonly List<Example> Pairs =
    [
        new("how do i lose fat from my legs", "how can i lose leg fat", "1"),
        new("is anyone really happy", "who is really happy in this world today", "0"),
    ];

    static MultiTaskModel Model(string quora, string stsb, bool shared = false)
    {
        var c = new MultiTaskConfig { SharedLayer = shared, HeadDropout = 0 };
        var tasks = new List<(TaskConfig, int)>
        {
            (new TaskConfig { Name = "sst5", Kind = TaskKind.Single }, 5),
            (new TaskConfig { Name = "quora", Kind = TaskKind.PairClassification, Encoding = quora }, 1),
            (new TaskConfig { Name = "stsb", Kind = TaskKind.PairRegression, Encoding = stsb, Metric = "pearson" }, 1),
        };
        var m = new MultiTaskModel(new SentenceEncoder(ToyModels.Encoder(4), PoolingMode.Cls), tasks, c);
        m.eval();
        return m;
    }

    static Dictionary<string, Tensor> Weights(MultiTaskModel m) => m.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    static Tensor Linear(Dictionary<string, Tensor> w, string name, Tensor x) => x.matmul(w[name + ".weight"].T) + w[name + ".bias"];

    /// <summary>e_ab and e_ba encoded one pair at a time (no shared padding with the other order).</summary>
    static (Tensor Ab, Tensor Ba) Embeddings(MultiTaskModel m)
    {
        var tok = ToyModels.Tokenizer;
        var ab = cat(Pairs.Select(e => m.Vector(TokenBatch.EncodePairs(tok, [(e.Text, e.Text2)], 64))).ToArray(), 0);
        var ba = cat(Pairs.Select(e => m.Vector(TokenBatch.EncodePairs(tok, [(e.Text2!, e.Text)], 64))).ToArray(), 0);
        return (ab, ba);
    }

    [Theory]
    [InlineData("ph")]
    [InlineData("dph")]
    [InlineData("dpha")]
    public void PairHeadsAreTheReportsLayersOverBothOrdersAndTheDifference(string kind)
    {
        using var _ = no_grad();
        var m = Model(kind, kind, shared: true);
        var w = Weights(m);
        int h = 32;
        // one linear layer per input to the task's outputs, then a final layer over their concatenation
        Assert.Equal([1L, h], w["heads.quora.ab.weight"].shape);
        Assert.Equal([1L, h], w["heads.quora.ba.weight"].shape);
        Assert.Equal(kind != "ph", w.ContainsKey("heads.quora.diff.weight"));
        Assert.Equal([1L, kind == "ph" ? 2 : 3], w["heads.quora.out.weight"].shape);

        var output = m.Forward("quora", Pairs, ToyModels.Tokenizer, 64);
        Assert.Equal([2L, 1], output.shape);
        var (eab, eba) = Embeddings(m);
        var parts = new List<Tensor> { Linear(w, "heads.quora.ab", eab), Linear(w, "heads.quora.ba", eba) };
        if (kind != "ph") parts.Add(Linear(w, "heads.quora.diff", eab - eba));
        if (kind == "dpha") parts = parts.Select(p => p.tanh()).ToList();
        var expected = Linear(w, "heads.quora.out", cat(parts, 1));
        Assert.True(expected.allclose(output, rtol: 1e-4, atol: 1e-5), $"{string.Join(", ", expected.data<float>())} vs {string.Join(", ", output.data<float>())}");
        // the two orders really differ as inputs: e_ab ≠ e_ba, so swapping the pair changes what each layer sees
        Assert.False(eab.allclose(eba, atol: 1e-4));
    }

    [Fact]
    public void SwappingThePairSwapsThePhInputs()
    {
        using var _ = no_grad();
        var m = Model("ph", "ph");
        var w = Weights(m);
        var swapped = Pairs.Select(e => new Example(e.Text2!, e.Text, e.Label)).ToList();
        var before = m.Forward("stsb", Pairs, ToyModels.Tokenizer, 64);
        Assert.False(before.allclose(m.Forward("stsb", swapped, ToyModels.Tokenizer, 64), atol: 1e-5));
        // with the ab and ba layers exchanged, the swapped pair gives the original output: each order reaches its own layer
        var ab = w["heads.stsb.ab.weight"].clone(); var abBias = w["heads.stsb.ab.bias"].clone();
        var outW = w["heads.stsb.out.weight"];
        w["heads.stsb.ab.weight"].copy_(w["heads.stsb.ba.weight"]); w["heads.stsb.ab.bias"].copy_(w["heads.stsb.ba.bias"]);
        w["heads.stsb.ba.weight"].copy_(ab); w["heads.stsb.ba.bias"].copy_(abBias);
        outW.copy_(outW.flip(1));
        Assert.True(before.allclose(m.Forward("stsb", swapped, ToyModels.Tokenizer, 64), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void VanillaConcatenatesAndBiAddsTheAbsoluteDifference()
    {
        using var _ = no_grad();
        var m = Model("concat", "bi");
        var w = Weights(m);
        Assert.Equal([1L, 64], w["heads.quora.out.weight"].shape);   // [u, v]
        Assert.Equal([1L, 96], w["heads.stsb.out.weight"].shape);    // [u, v, |u − v|]
        var tok = ToyModels.Tokenizer;
        var u = m.Vector(TokenBatch.Encode(tok, Pairs.Select(e => e.Text), 64));
        var v = m.Vector(TokenBatch.Encode(tok, Pairs.Select(e => e.Text2!), 64));
        Assert.True(Linear(w, "heads.quora.out", cat([u, v], 1)).allclose(m.Forward("quora", Pairs, tok, 64), rtol: 1e-4, atol: 1e-5));
        Assert.True(Linear(w, "heads.stsb.out", cat([u, v, (u - v).abs()], 1)).allclose(m.Forward("stsb", Pairs, tok, 64), rtol: 1e-4, atol: 1e-5));
        Assert.Equal([2L, 5], m.Forward("sst5", Pairs, tok, 64).shape);
    }
}

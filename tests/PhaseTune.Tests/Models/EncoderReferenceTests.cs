using System.Text.Json.Nodes;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Text;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Models;

/// <summary>The encoder against HF's eager outputs stored in ../shared/models/fixtures/*/reference.json.</summary>
public class EncoderReferenceTests
{
    internal static JsonObject Reference(string fixture) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.Fixture(fixture), "reference.json")))!.AsObject();

    internal static Tensor Ints(JsonNode n) =>
        tensor(n.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<long>())).ToArray(),
            [n.AsArray().Count, n[0]!.AsArray().Count]);

    static float[] Floats(JsonNode n) => n switch
    {
        JsonArray a => a.SelectMany(Floats).ToArray(),
        _ => [n.GetValue<float>()],
    };

    static void AssertClose(JsonNode expected, Tensor actual, double atol, string what)
    {
        var e = Floats(expected);
        var a = actual.contiguous().data<float>().ToArray();
        Assert.Equal(e.Length, a.Length);
        double worst = e.Zip(a, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= atol, $"{what}: max |diff| {worst:E3} > {atol:E0}");
    }

    internal static void CheckOutputs(BertModel model, JsonObject r, double atol)
    {
        using var _ = no_grad();
        var (ids, mask, types) = (Ints(r["input_ids"]!), Ints(r["attention_mask"]!), Ints(r["token_type_ids"]!));
        var hidden = model.forward(ids, mask, types);
        AssertClose(r["last_hidden_state"]!, hidden, atol, "last_hidden_state");
        AssertClose(r["pooler_output"]!, Pooling.Pool(hidden, mask, PoolingMode.Pooler, model), atol, "pooler_output");
        AssertClose(r["cls_pooled"]!, Pooling.Pool(hidden, mask, PoolingMode.Cls, model), atol, "cls");
        AssertClose(r["mean_pooled"]!, Pooling.Pool(hidden, mask, PoolingMode.Mean, model), atol, "mean");
    }

    [Theory]
    [InlineData("tiny-bert")]
    [InlineData("tiny-roberta")]
    public void MatchesHuggingFaceWithin1e4(string fixture)
    {
        var loaded = ModelDirectory.Load(Paths.Fixture(fixture));
        Assert.Empty(loaded.Report.NewlyInitialized);
        CheckOutputs(loaded.Model, Reference(fixture), 1e-4);
    }

    [Fact]
    public void RobertaCheckpointListsItsUnusedHead()
    {
        var loaded = ModelDirectory.Load(Paths.Fixture("tiny-roberta"));
        Assert.Contains("lm_head.bias", loaded.Report.Unused);
    }

    [Fact]
    public void Fp16CheckpointMatchesWithin1e2()
    {
        var config = EncoderConfig.Load(Path.Combine(Paths.Fixture("tiny-bert"), "config.json"));
        var model = new BertModel(config);
        CheckpointLoader.Load(model, Path.Combine(Paths.Fixture("tiny-bert"), "model.fp16.safetensors"));
        model.eval();
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        CheckOutputs(model, Reference("tiny-bert"), 1e-2);
    }

    [Fact]
    public void MaxPoolingIgnoresPadding()
    {
        var loaded = ModelDirectory.Load(Paths.Fixture("tiny-bert"));
        var r = Reference("tiny-bert");
        using var _ = no_grad();
        var (ids, mask, types) = (Ints(r["input_ids"]!), Ints(r["attention_mask"]!), Ints(r["token_type_ids"]!));
        var hidden = loaded.Model.forward(ids, mask, types);
        var max = Pooling.Pool(hidden, mask, PoolingMode.Max, loaded.Model);
        // row 0 has 7 real tokens: its max must equal the max over those alone
        var expected = hidden[0, ..7].max(dim: 0).values;
        Assert.True(max[0].allclose(expected));
        // large values on padded positions must not leak into the pooled vector
        var poisoned = hidden.masked_fill(mask.unsqueeze(-1).eq(0), 100.0);
        Assert.True(Pooling.Pool(poisoned, mask, PoolingMode.Max, loaded.Model).allclose(max));
        Assert.True(Pooling.Pool(poisoned, mask, PoolingMode.Mean, loaded.Model).allclose(Pooling.Pool(hidden, mask, PoolingMode.Mean, loaded.Model)));
    }

    [Fact]
    public void TokenizerReproducesTheReferenceInputs()
    {
        var loaded = ModelDirectory.Load(Paths.Fixture("tiny-bert"));
        var enc = PhaseTune.Text.TokenizerExtensions.Encode(loaded.Tokenizer, "How are you doing?");
        var r = Reference("tiny-bert");
        var row0 = r["input_ids"]![0]!.AsArray().Select(v => v!.GetValue<int>()).Take(enc.Length);
        Assert.Equal(row0, enc.Ids);
    }
}

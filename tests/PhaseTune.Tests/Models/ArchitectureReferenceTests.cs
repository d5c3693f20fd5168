using System.Text.Json.Nodes;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Text;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Models;

/// <summary>DistilBERT and ELECTRA against HF's eager outputs restated by tools/make_arch_fixtures.py
/// (Fixtures/tiny-distilbert: DistilBertForMaskedLM keys; Fixtures/tiny-electra: ElectraForPreTraining keys, embedding
/// size 16 projected to hidden size 32, a sentence pair with token types 1).</summary>
public class ArchitectureReferenceTests
{
    const double Atol = 1e-4;

    internal static JsonObject Reference(string fixture) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.RepoFixture(fixture), "reference.json")))!.AsObject();

    static float[] Floats(JsonNode? n) => n switch
    {
        JsonArray a => a.SelectMany(Floats).ToArray(),
        _ => [n!.GetValue<float>()],
    };

    static void AssertClose(JsonNode expected, Tensor actual, string what)
    {
        var e = Floats(expected);
        var a = actual.contiguous().data<float>().ToArray();
        Assert.Equal(e.Length, a.Length);
        double worst = e.Zip(a, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= Atol, $"{what}: max |diff| {worst:E3} > {Atol:E0}");
    }

    static (Tensor Ids, Tensor Mask, Tensor Types) Inputs(JsonObject r) =>
        (EncoderReferenceTests.Ints(r["input_ids"]!), EncoderReferenceTests.Ints(r["attention_mask"]!), EncoderReferenceTests.Ints(r["token_type_ids"]!));

    /// <summary>The padded batch through BertModel.forward (every position) and through SentenceEncoder (padding skipped).</summary>
    static void CheckOutputs(BertModel model, JsonObject r)
    {
        using var _ = no_grad();
        var (ids, mask, types) = Inputs(r);
        var hidden = model.forward(ids, mask, types);
        AssertClose(r["last_hidden_state"]!, hidden, "last_hidden_state");
        AssertClose(r["cls_pooled"]!, new SentenceEncoder(model, PoolingMode.Cls).forward(ids, mask, types), "cls");
        AssertClose(r["mean_pooled"]!, new SentenceEncoder(model, PoolingMode.Mean).forward(ids, mask, types), "mean");
    }

    [Theory]
    [InlineData("tiny-distilbert", "distilbert")]
    [InlineData("tiny-electra", "electra")]
    public void MatchesHuggingFaceWithin1e4IncludingPaddedRows(string fixture, string type)
    {
        var loaded = ModelDirectory.Load(Paths.RepoFixture(fixture));
        Assert.Equal(type, loaded.Model.Config.ModelType);
        Assert.Empty(loaded.Report.NewlyInitialized);
        var r = Reference(fixture);
        Assert.Contains(Inputs(r).Mask.data<long>().ToArray(), m => m == 0);   // the batch has padding
        CheckOutputs(loaded.Model, r);
    }

    [Fact]
    public void TheElectraDiscriminatorHeadIsUnusedAndItsEmbeddingsAreProjected()
    {
        var loaded = ModelDirectory.Load(Paths.RepoFixture("tiny-electra"));
        Assert.Equal(["discriminator_predictions.dense.bias", "discriminator_predictions.dense.weight",
            "discriminator_predictions.dense_prediction.bias", "discriminator_predictions.dense_prediction.weight"], loaded.Report.Unused);
        Assert.Equal([4000, 16], loaded.Model.Embeddings.WordEmbeddings.shape);
        Assert.Equal([32, 16], loaded.Model.EmbeddingsProject!.weight!.shape);
        Assert.Null(loaded.Model.MaskedLmHead);
    }

    [Theory]
    [InlineData("tiny-distilbert")]
    [InlineData("tiny-electra")]
    public void TheTokenizerReproducesTheReferenceInputs(string fixture)
    {
        var loaded = ModelDirectory.Load(Paths.RepoFixture(fixture));
        var r = Reference(fixture);
        var texts = r["texts"]!.AsArray().Select(t => t is JsonArray pair ? (pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>()) : (t!.GetValue<string>(), (string?)null));
        var batch = TokenBatch.EncodePairs(loaded.Tokenizer, texts, 64);
        var (ids, mask, types) = Inputs(r);
        Assert.Equal(ids.data<long>().ToArray(), batch.Ids.data<long>().ToArray());
        Assert.Equal(mask.data<long>().ToArray(), batch.Mask.data<long>().ToArray());
        Assert.Equal(types.data<long>().ToArray(), batch.Types.data<long>().ToArray());
    }

    [Fact]
    public void TheDistilBertMaskedLmHeadIsReadFromItsOwnKeysAndMatchesHf()
    {
        var loaded = ModelDirectory.Load(Paths.RepoFixture("tiny-distilbert"));
        var model = loaded.Model;
        Assert.NotNull(model.MaskedLmHead);
        Assert.Empty(loaded.Report.Unused);
        Assert.Throws<NotSupportedException>(() => model.Pooler);
        using var head = MaskedLmHead.For(model, () => model.Embeddings.WordEmbeddings);
        head.eval();
        using var _ = no_grad();
        var r = Reference("tiny-distilbert");
        var (ids, mask, types) = Inputs(r);
        var logits = head.forward(model.forward(ids, mask, types)[0]);                           // (T, V)
        AssertClose(r["mlm_row0_logsumexp"]!, logits.logsumexp(-1), "logsumexp");
        var (top, topIds) = logits.topk(5, dim: -1);
        Assert.Equal(Floats(r["mlm_row0_top5_ids"]).Select(v => (long)v), topIds.data<long>().ToArray());
        AssertClose(r["mlm_row0_top5_logits"]!, top, "top-5 logits");
    }

    [Theory]
    [InlineData("tiny-distilbert", "distilbert.", "DistilBertForMaskedLM")]
    [InlineData("tiny-electra", "", "ElectraModel")]
    public void SaveAndLoadBackKeepTheArchitectureHfsKeysAndTheOutputs(string fixture, string prefix, string architecture)
    {
        var loaded = ModelDirectory.Load(Paths.RepoFixture(fixture));
        string dir = Path.Combine(Paths.TempDir(), "saved");
        ModelDirectory.Save(loaded.Model, loaded.Tokenizer, dir);

        // HF's names, as the checkpoint had them (less the ELECTRA discriminator head, which PhaseTune does not keep)
        var original = SafeTensorsFile.Open(Path.Combine(Paths.RepoFixture(fixture), "model.safetensors")).Entries.Keys
            .Where(k => !k.StartsWith("discriminator_predictions.")).Select(k => k.StartsWith("electra.") ? k["electra.".Length..] : k);
        var saved = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors")).Entries.Keys;
        Assert.Equal(original.Order(), saved.Order());
        Assert.All(saved.Where(k => !k.StartsWith("vocab_")), k => Assert.StartsWith(prefix, k));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.Equal(architecture, config["architectures"]![0]!.GetValue<string>());
        Assert.Equal(EncoderConfig.Load(Path.Combine(Paths.RepoFixture(fixture), "config.json")), EncoderConfig.Load(Path.Combine(dir, "config.json")));

        var again = ModelDirectory.Load(dir);
        Assert.Empty(again.Report.Unused);
        Assert.Equal(loaded.Model.Config, again.Model.Config);
        var a = loaded.Model.state_dict();
        foreach (var (k, v) in again.Model.state_dict()) Assert.True(v.equal(a[k]).all().item<bool>(), k);
        CheckOutputs(again.Model, Reference(fixture));
    }

    [Fact]
    public void AnElectraMaskedLmHeadSavesAsHfsGeneratorHeadAndLoadsBack()
    {
        var loaded = ModelDirectory.Load(Paths.RepoFixture("tiny-electra"));
        var model = loaded.Model;
        using (var head = MaskedLmHead.Create(model.Config, () => model.Embeddings.WordEmbeddings))   // as an MLM phase leaves it
            model.MaskedLmHead = head.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        string dir = Path.Combine(Paths.TempDir(), "saved");
        ModelDirectory.Save(model, loaded.Tokenizer, dir);
        var keys = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors")).Entries.Keys.ToList();
        Assert.Equal(["generator_lm_head.bias", "generator_predictions.LayerNorm.bias", "generator_predictions.LayerNorm.weight",
            "generator_predictions.dense.bias", "generator_predictions.dense.weight"], keys.Where(k => !k.StartsWith("electra.")).Order(StringComparer.Ordinal));
        Assert.Equal("ElectraForMaskedLM", JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!["architectures"]![0]!.GetValue<string>());
        var again = ModelDirectory.Load(dir);
        Assert.Empty(again.Report.Unused);
        Assert.Equal([16, 32], again.Model.MaskedLmHead!["predictions.transform.dense.weight"].shape);   // hidden → embedding size
        foreach (var (k, v) in model.MaskedLmHead) Assert.True(v.equal(again.Model.MaskedLmHead[k]).all().item<bool>(), k);
    }
}

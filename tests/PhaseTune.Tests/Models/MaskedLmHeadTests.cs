using System.Text.Json.Nodes;
using PhaseTune.Losses;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Models;

/// <summary>Masked-LM heads by their HF keys, checked against HF's eager outputs of the -mlm fixtures.</summary>
public class MaskedLmHeadTests
{
    static Tensor Ids(JsonNode rows) => tensor(rows.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<long>())).ToArray(),
        [rows.AsArray().Count, rows[0]!.AsArray().Count]);

    [Theory]
    [InlineData("tiny-bert-mlm")]
    [InlineData("tiny-roberta-mlm")]
    public void LogitsAndLossMatchHf(string fixture)
    {
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.Fixture(fixture), "reference.json")))!;
        var loaded = ModelDirectory.Load(Paths.Fixture(fixture));
        var model = loaded.Model;
        Assert.NotNull(model.MaskedLmHead);
        Assert.DoesNotContain(loaded.Report.Unused, k => k.StartsWith(MaskedLmHead.Name(model.Config) + ".predictions") || k.StartsWith("lm_head."));
        using var head = MaskedLmHead.For(model, () => model.Embeddings.WordEmbeddings);
        head.eval();
        using var _ = no_grad();
        Tensor Logits(Tensor ids, Tensor mask)
        {
            var hidden = model.forward(ids, mask, zeros_like(ids));                           // (B, T, C)
            return head.forward(hidden.reshape(-1, hidden.shape[2])).reshape(hidden.shape[0], hidden.shape[1], -1);   // (B, T, V)
        }
        var logits = Logits(Ids(reference["input_ids"]!), Ids(reference["attention_mask"]!));
        var lse = logits.logsumexp(-1);
        var (top, topIds) = logits.topk(20, dim: -1);
        var wantLse = reference["mlm_logsumexp"]!.AsArray();
        for (int b = 0; b < wantLse.Count; b++)
            for (int t = 0; t < wantLse[b]!.AsArray().Count; t++)
            {
                Assert.True(Math.Abs(lse[b, t].item<float>() - wantLse[b]![t]!.GetValue<float>()) < 1e-4, $"logsumexp {b},{t}");
                var ids = reference["mlm_top20_ids"]![b]![t]!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
                var values = reference["mlm_top20_logits"]![b]![t]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
                Assert.Equal(ids, topIds[b, t].data<long>().ToArray());
                for (int k = 0; k < 20; k++) Assert.True(Math.Abs(top[b, t, k].item<float>() - values[k]) < 1e-4, $"top-{k} at {b},{t}");
            }
        var masked = Logits(Ids(reference["masked_input_ids"]!), Ids(reference["attention_mask"]!));
        var loss = nn.functional.cross_entropy(masked.reshape(-1, masked.shape[2]), Ids(reference["mlm_labels"]!).reshape(-1), ignore_index: -100);
        Assert.Equal(reference["mlm_loss"]!.GetValue<double>(), loss.item<float>(), 4);
    }

    [Fact]
    public void TheTsdaeDecoderStartsFromTheCheckpointsHeadAndAFreshOneOtherwise()
    {
        var withHead = ModelDirectory.Load(Paths.Fixture("tiny-bert-mlm")).Model;
        var loss = new DenoisingAutoEncoderLoss(new SentenceEncoder(withHead, PoolingMode.Cls));
        Assert.True(loss.Decoder.HeadFromCheckpoint);
        var decoder = loss.Decoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (key, value) in withHead.MaskedLmHead!)
            Assert.True(decoder["cls." + key].equal(value).all().item<bool>(), key);
        Assert.DoesNotContain(decoder.Keys, k => k.StartsWith("cls.predictions.decoder"));   // tied: the word embeddings

        var plain = ModelDirectory.Load(Paths.Fixture("tiny-bert")).Model;
        var fresh = new DenoisingAutoEncoderLoss(new SentenceEncoder(plain, PoolingMode.Cls));
        Assert.False(fresh.Decoder.HeadFromCheckpoint);
        Assert.True(fresh.Decoder.named_parameters().Single(p => p.name == "cls.predictions.bias").parameter.eq(0).all().item<bool>());
        var roberta = new DenoisingAutoEncoderLoss(new SentenceEncoder(ModelDirectory.Load(Paths.Fixture("tiny-roberta-mlm")).Model, PoolingMode.Cls));
        Assert.Contains(roberta.Decoder.named_parameters(), p => p.name == "lm_head.layer_norm.weight");
    }

    [Fact]
    public void AHeadIsSavedBackInTheMaskedLmLayoutAndLoadsAgain()
    {
        var loaded = ModelDirectory.Load(Paths.Fixture("tiny-roberta-mlm"));
        string dir = Path.Combine(Paths.TempDir(), "saved");
        ModelDirectory.Save(loaded.Model, loaded.Tokenizer, dir);
        var keys = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors")).Entries.Keys.ToList();
        Assert.Contains("lm_head.dense.weight", keys);
        Assert.All(keys.Where(k => !k.StartsWith("lm_head.")), k => Assert.StartsWith("roberta.", k));
        Assert.Contains("RobertaForMaskedLM", File.ReadAllText(Path.Combine(dir, "config.json")));
        var again = ModelDirectory.Load(dir).Model;
        foreach (var (key, value) in loaded.Model.MaskedLmHead!) Assert.True(again.MaskedLmHead![key].equal(value).all().item<bool>(), key);
        // a checkpoint without a head saves as before: bare BertModel keys
        var plain = ModelDirectory.Load(Paths.Fixture("tiny-bert"));
        string plainDir = Path.Combine(Paths.TempDir(), "plain");
        ModelDirectory.Save(plain.Model, plain.Tokenizer, plainDir);
        Assert.Contains("embeddings.word_embeddings.weight", SafeTensorsFile.Open(Path.Combine(plainDir, "model.safetensors")).Entries.Keys);
    }
}

using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Text;
using TorchSharp;
using Xunit;

namespace PhaseTune.Tests.Models;

/// <summary>An XLM-R folder (Fixtures/tiny-xlmr: random weights under XLMRobertaForMaskedLM's keys, only
/// sentencepiece.bpe.model for its tokenizer) loads as the RoBERTa graph with the Unigram tokenizer and embeds.</summary>
public class XlmRobertaModelTests
{
    static readonly string[] Texts = ["wake me up at nine am", "café crème ＡＢＣ 😀", "中文", "", "hello <mask> world"];

    [Fact]
    public void ATinyXlmRobertaFolderLoadsWithItsSentencepieceTokenizerAndEmbeds()
    {
        var loaded = ModelDirectory.Load(Paths.RepoFixture("tiny-xlmr"));
        Assert.Equal("xlm-roberta", loaded.Model.Config.ModelType);
        Assert.IsType<UnigramTokenizer>(loaded.Tokenizer);
        Assert.Equal(loaded.Model.Config.VocabSize, loaded.Tokenizer.VocabSize);
        Assert.NotNull(loaded.Model.MaskedLmHead);                                    // lm_head.* read by its HF keys
        Assert.All(loaded.Report.NewlyInitialized, k => Assert.StartsWith("pooler.", k));
        var vectors = new Embedder(loaded.Model, loaded.Tokenizer, PoolingMode.Mean).Embed(Texts);
        Assert.All(vectors, v => Assert.True(v.Length == 16 && v.All(float.IsFinite)));
        Assert.NotEqual(vectors[0], vectors[1]);
    }

    [Fact]
    public void ASavedXlmRobertaReloadsWithTheSameTokensAndVectors()
    {
        var loaded = ModelDirectory.Load(Paths.RepoFixture("tiny-xlmr"));
        string dir = Paths.TempDir();
        ModelDirectory.Save(loaded.Model, loaded.Tokenizer, dir);
        Assert.True(File.Exists(Path.Combine(dir, "tokenizer.json")));
        var again = ModelDirectory.Load(dir);
        Assert.IsType<UnigramTokenizer>(again.Tokenizer);
        foreach (var t in Texts) Assert.Equal(loaded.Tokenizer.Encode(t).Ids, again.Tokenizer.Encode(t).Ids);
        var before = new Embedder(loaded.Model, loaded.Tokenizer, PoolingMode.Mean).Embed(Texts);
        var after = new Embedder(again.Model, again.Tokenizer, PoolingMode.Mean).Embed(Texts);
        for (int i = 0; i < Texts.Length; i++) Assert.Equal(before[i], after[i]);
    }

    [Fact]
    public void AScratchEncoderOverASentencepieceVocabularyIsBuiltInXlmRobertasLayout()
    {
        torch.manual_seed(1);
        var (model, tok, _) = ModelSource.Resolve("scratch:tiny", Paths.RepoFixture("tiny-xlmr-tokenizer"));
        Assert.IsType<UnigramTokenizer>(tok);
        var c = model.Config;
        Assert.Equal(("xlm-roberta", 4002, 514, 1, 1), (c.ModelType, c.VocabSize, c.MaxPositionEmbeddings, c.TypeVocabSize, c.PadTokenId));
    }
}

using System.Text.Json.Nodes;
using PhaseTune.Text;
using Xunit;

namespace PhaseTune.Tests.Text;

/// <summary>XLM-R's SentencePiece Unigram tokenizer against sentencepiece's own ids
/// (Fixtures/tiny-xlmr-tokenizer, made by tools/make_unigram_fixtures.py).</summary>
public class UnigramTokenizerTests
{
    static readonly string Dir = Paths.RepoFixture("tiny-xlmr-tokenizer");
    static readonly Lazy<ITokenizer> FromJson = new(() => TokenizerLoader.Load(Dir));
    static readonly Lazy<ITokenizer> FromModel = new(() => UnigramTokenizer.FromSentencePieceModel(Path.Combine(Dir, "sentencepiece.bpe.model")));
    static readonly Lazy<JsonObject> Reference = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "reference.json")))!.AsObject());

    static IEnumerable<JsonObject> Cases => Reference.Value["cases"]!.AsArray().Cast<JsonObject>();
    static int[] Ints(JsonNode? n) => n!.AsArray().Select(x => x!.GetValue<int>()).ToArray();
    static string Text(JsonObject c) => c["text"]!.GetValue<string>();
    static string? Pair(JsonObject c) => c["text_pair"]?.GetValue<string>();

    static ITokenizer Tok(string source) => source == "tokenizer.json" ? FromJson.Value : FromModel.Value;

    /// <summary>All mismatches at once, so a failure shows every case that differs.</summary>
    static List<string> Mismatches(ITokenizer tok)
    {
        var bad = new List<string>();
        foreach (var c in Cases)
        {
            var ids = tok.Encode(Text(c), Pair(c)).Ids;
            var pieces = tok.Tokenize(Text(c)).Tokens.Concat(Pair(c) is string b ? tok.Tokenize(b).Tokens : []).ToArray();
            var expectedPieces = c["pieces"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
            if (!ids.SequenceEqual(Ints(c["ids"])) || !pieces.SequenceEqual(expectedPieces))
                bad.Add($"{c["id"]} {System.Text.Json.JsonSerializer.Serialize(Text(c))}: [{string.Join(",", ids)}] {string.Join("|", pieces)}"
                    + $" != [{string.Join(",", Ints(c["ids"]))}] {string.Join("|", expectedPieces)}");
        }
        return bad;
    }

    [Fact]
    public void TheFixtureHoldsHardCasesAndPairs()
    {
        Assert.True(Cases.Count() >= 380);
        Assert.Contains(Cases, c => Pair(c) is not null);
        Assert.Contains(Cases, c => Ints(c["ids"]).Contains(3));                  // unknown characters
        Assert.Contains(Cases, c => Text(c).EndsWith("   "));                     // trailing spaces
        Assert.Contains(Cases, c => Ints(c["ids"]).Contains(Reference.Value["mask_id"]!.GetValue<int>()));
    }

    [Theory]
    [InlineData("tokenizer.json")]
    [InlineData("sentencepiece.bpe.model")]
    public void EveryReferenceSequenceMatchesSentencePieceExactly(string source)
    {
        var tok = Tok(source);
        Assert.IsType<UnigramTokenizer>(tok);
        Assert.Equal(Reference.Value["vocab_size"]!.GetValue<int>(), tok.VocabSize);
        Assert.Empty(Mismatches(tok));
    }

    [Fact]
    public void FairseqLayoutPutsSpecialsFirstShiftsSentencePieceIdsByOneAndMaskLast()
    {
        var tok = FromModel.Value;
        Assert.Equal((0, 1, 2, 3), (tok.ClsId, tok.PadId, tok.SepId, tok.UnkId));
        Assert.Equal(tok.VocabSize - 1, tok.MaskId);
        Assert.Equal(Reference.Value["spm_vocab_size"]!.GetValue<int>() + 2, tok.VocabSize);
        Assert.Equal("<mask>", tok.IdToToken(tok.MaskId));
        for (int id = 0; id < tok.VocabSize; id++) Assert.Equal(FromJson.Value.IdToToken(id), tok.IdToToken(id));
    }

    [Fact]
    public void ARunOfUnknownCharactersIsOneUnkAsSentencePieceMergesIt()
    {
        var p = FromJson.Value.Tokenize("ab中文字cd");
        int unk = p.Ids.IndexOf(3);
        Assert.Equal(1, p.Ids.Count(i => i == 3));
        Assert.Equal("中文字", p.Tokens[unk]);
        Assert.Equal((2, 5), p.Offsets[unk]);
    }

    [Fact]
    public void ALoneSurrogateIsReadAsTheReplacementCharacterNotACrash()
    {
        // nmt_nfkc maps U+FFFD to a space, so the text splits there, as sentencepiece splits "ab\uFFFDcd"
        var p = FromJson.Value.Tokenize("ab\uD800cd");
        Assert.Equal(FromJson.Value.Tokenize("ab\uFFFDcd").Ids, p.Ids);
        Assert.Equal(["▁a", "b", "▁c", "d"], p.Tokens);
    }

    [Fact]
    public void OffsetsPointIntoTheOriginalTextAcrossSpecialTokensAndNormalization()
    {
        var tok = FromJson.Value;
        string text = "wake me  up <mask> ＡＢＣ";
        var p = tok.Tokenize(text);
        Assert.Equal(["▁wake", "▁me", "▁up", "<mask>", "▁A", "B", "C"], p.Tokens);
        // as in sentencepiece: a "▁" stands for the first space of a run; the dummy prefix for the segment's first
        // character after its leading spaces
        Assert.Equal([(0, 4), (4, 7), (7, 11), (12, 18), (19, 20), (20, 21), (21, 22)], p.Offsets);
        Assert.Equal("ＡＢＣ", text[p.Offsets[4].Start..p.Offsets[6].End].Trim());
    }

    [Fact]
    public void PairsGetRobertaSeparatorsAndAllTypeIdsZero()
    {
        var tok = FromJson.Value;
        var a = tok.Tokenize("how are you").Ids;
        var b = tok.Tokenize("i am fine").Ids;
        var e = tok.Encode("how are you", "i am fine");
        Assert.Equal([0, .. a, 2, 2, .. b, 2], e.Ids);
        Assert.All(e.TypeIds, t => Assert.Equal(0, t));
        Assert.Equal(4, tok.SpecialTokenCount(true));
    }

    [Fact]
    public void TruncationIsLongestFirstAndKeepsTheSpecialTokens()
    {
        var tok = FromJson.Value;
        string longText = string.Join(" ", Enumerable.Repeat("the promise of digital filmmaking", 20));
        var single = tok.Encode(longText, maxLength: 16);
        Assert.Equal(16, single.Length);
        Assert.Equal((0, 2), (single.Ids[0], single.Ids[^1]));
        Assert.Equal(tok.Tokenize(longText).Ids.Take(14), single.Ids[1..^1]);

        var pair = tok.Encode(longText, "how are you", maxLength: 16);
        var b = tok.Tokenize("how are you").Ids;
        Assert.Equal(16, pair.Length);
        Assert.Equal([0, .. tok.Tokenize(longText).Ids.Take(12 - b.Count), 2, 2, .. b, 2], pair.Ids);
    }

    [Fact]
    public void PaddingUsesThePadId()
    {
        var tok = FromJson.Value;
        var batch = Collator.Pad([tok.Encode("hello"), tok.Encode("wake me up at nine am")], tok.PadId);
        Assert.Equal(1, tok.PadId);
        Assert.Equal(1, batch.InputIds[0][^1]);
        Assert.Equal(0, batch.AttentionMask[0][^1]);
    }

    [Fact]
    public void SavedTokenizerLoadsBackWithTheSameIds()
    {
        string dir = Paths.TempDir();
        FromModel.Value.Save(dir);
        var again = TokenizerLoader.Load(dir);
        Assert.IsType<UnigramTokenizer>(again);
        Assert.Empty(Mismatches(again));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "tokenizer_config.json")))!;
        Assert.Equal("XLMRobertaTokenizer", config["tokenizer_class"]!.GetValue<string>());
    }

    [Fact]
    public void TheLoaderPicksUnigramForTokenizerJsonAndForAFolderWithOnlySentencepieceModel()
    {
        Assert.IsType<UnigramTokenizer>(TokenizerLoader.Load(Dir));
        string dir = Paths.TempDir();
        File.Copy(Path.Combine(Dir, "sentencepiece.bpe.model"), Path.Combine(dir, "sentencepiece.bpe.model"));
        var tok = TokenizerLoader.Load(dir);
        Assert.IsType<UnigramTokenizer>(tok);
        Assert.Equal(FromJson.Value.Encode("café ＡＢＣ").Ids, tok.Encode("café ＡＢＣ").Ids);
    }

    static string WithTokenizerJson(Action<JsonObject> edit)
    {
        string dir = Paths.TempDir();
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "tokenizer.json")))!.AsObject();
        edit(root);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), root.ToJsonString());
        return dir;
    }

    [Fact]
    public void AnOlderTokenizerJsonWithoutTheReplaceStepStillRemovesExtraSpacesAsSentencePieceDoes()
    {
        string dir = WithTokenizerJson(r => r["normalizer"] = Precompiled(r).DeepClone());
        var old = TokenizerLoader.Load(dir);
        foreach (var text in new[] { "hello     world", "  leading", "trailing   ", "a \t b" })
            Assert.Equal(FromModel.Value.Encode(text).Ids, old.Encode(text).Ids);
    }

    static JsonObject Precompiled(JsonObject root) => root["normalizer"]!["normalizers"]![0]!.AsObject();

    public static TheoryData<string, string> MalformedCharsMaps => new()
    {
        { "AAAA", "too short" },                                                        // 3 bytes
        { Convert.ToBase64String([0xFF, 0xFF, 0, 0, 1, 2, 3, 4]), "trie size" },         // size past the end
        { "not base64!", "not base64" },
    };

    [Theory]
    [MemberData(nameof(MalformedCharsMaps))]
    public void AMalformedCharsMapIsAClearErrorNamingTheFile(string charsMap, string message)
    {
        string dir = WithTokenizerJson(r => Precompiled(r)["precompiled_charsmap"] = charsMap);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(dir));
        Assert.Contains(Path.Combine(dir, "tokenizer.json"), e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ACharsMapWhoseValuesPointOutsideItsStringsIsRefused()
    {
        var blob = Convert.FromBase64String(Precompiled(JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "tokenizer.json")))!.AsObject())["precompiled_charsmap"]!.GetValue<string>());
        int trieBytes = BitConverter.ToInt32(blob, 0);
        var cut = blob[..(4 + trieBytes + 1)];                                          // the replacement strings cut off
        string dir = WithTokenizerJson(r => Precompiled(r)["precompiled_charsmap"] = Convert.ToBase64String(cut));
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(dir));
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("precompiled_charsmap", e.Message);
    }

    [Fact]
    public void AMalformedVocabOrUnsupportedComponentNamesTheFile()
    {
        string badVocab = WithTokenizerJson(r => r["model"]!["vocab"]!.AsArray()[7] = "just a string");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(badVocab));
        Assert.Contains(Path.Combine(badVocab, "tokenizer.json"), e.Message);
        Assert.Contains("vocab entry 7", e.Message);

        string lowercase = WithTokenizerJson(r => r["normalizer"]!["normalizers"]!.AsArray().Add(new JsonObject { ["type"] = "Lowercase" }));
        var n = Assert.Throws<NotSupportedException>(() => TokenizerLoader.Load(lowercase));
        Assert.Contains(Path.Combine(lowercase, "tokenizer.json"), n.Message);
        Assert.Contains("Lowercase", n.Message);

        string template = WithTokenizerJson(r => r["post_processor"]!["pair"]!.AsArray().RemoveAt(3));
        Assert.Contains("post-processor", Assert.Throws<NotSupportedException>(() => TokenizerLoader.Load(template)).Message);
    }

    [Fact]
    public void ATruncatedOrForeignSentencepieceModelIsAClearErrorNamingTheFile()
    {
        string dir = Paths.TempDir(), path = Path.Combine(dir, "sentencepiece.bpe.model");
        var bytes = File.ReadAllBytes(Path.Combine(Dir, "sentencepiece.bpe.model"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(dir));
        Assert.Contains(path, e.Message);
        Assert.Contains("runs past the end", e.Message);

        File.WriteAllText(path, "{\"not\": \"a model\"}");
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(dir)).Message);
    }
}

using System.Text.Json.Nodes;
using PhaseTune.Text;
using Xunit;

namespace PhaseTune.Tests.Text;

/// <summary>Every HF-produced case in ../shared/models/tokenization-fixtures.</summary>
public class TokenizationFixtureTests
{
    static readonly Dictionary<string, ITokenizer> Tokenizers = new();

    static ITokenizer Tok(string dir)
    {
        lock (Tokenizers)
        {
            if (!Tokenizers.TryGetValue(dir, out var t)) Tokenizers[dir] = t = TokenizerLoader.Load(Path.Combine(Paths.Models, dir));
            return t;
        }
    }

    static IEnumerable<JsonObject> Cases(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.Models, "tokenization-fixtures", file)))!["cases"]!.AsArray().Cast<JsonObject>();

    public static IEnumerable<object[]> BertCases() => Cases("bert-base-uncased.json").Select(c => new object[] { c["id"]!.GetValue<string>() });
    public static IEnumerable<object[]> RobertaCases() => Cases("roberta-base.json").Select(c => new object[] { c["id"]!.GetValue<string>() });

    [Fact]
    public void FixtureFilesHoldAll83Cases() => Assert.Equal(83, BertCases().Count() + RobertaCases().Count());

    // bert-base-uncased cases also run through the tokenizer.json of bert-base-uncased and the vocab.txt of MiniLM.
    [Theory]
    [MemberData(nameof(BertCases))]
    public void BertBaseUncased(string id)
    {
        foreach (var dir in new[] { "bert-base-uncased", "all-MiniLM-L12-v2", "bert-tiny" })
            Check(Tok(dir), Cases("bert-base-uncased.json").Single(c => c["id"]!.GetValue<string>() == id), dir);
    }

    [Theory]
    [MemberData(nameof(RobertaCases))]
    public void RobertaBase(string id) =>
        Check(Tok("roberta-base"), Cases("roberta-base.json").Single(c => c["id"]!.GetValue<string>() == id), "roberta-base");

    static int[] Ints(JsonNode? n) => n!.AsArray().Select(x => x!.GetValue<int>()).ToArray();

    static void Check(ITokenizer tok, JsonObject c, string dir)
    {
        string text = c["text"]!.GetValue<string>();
        string? pair = c["text_pair"]?.GetValue<string>();
        bool special = c["add_special_tokens"]?.GetValue<bool>() ?? true;
        var enc = tok.Encode(text, pair, addSpecialTokens: special);
        var expected = Ints(c["ids"]);
        if (c["attention_mask"] is JsonNode maskNode)
        {
            // padded batch rows: compare the unpadded part, then padding via the collator
            var mask = Ints(maskNode);
            var batch = Collator.Pad(new[] { enc }, tok.PadId, padTo: expected.Length);
            Assert.Equal(expected, batch.InputIds[0]);
            Assert.Equal(mask, batch.AttentionMask[0]);
            Assert.Equal(Ints(c["token_type_ids"]), batch.TokenTypeIds[0]);
            return;
        }
        Assert.True(expected.SequenceEqual(enc.Ids), $"{dir}: ids [{string.Join(",", enc.Ids)}] != [{string.Join(",", expected)}]");
        if (c["tokens"] is JsonArray tokens)
        {
            var pieces = tok.Tokenize(text).Tokens.Concat(pair is null ? [] : tok.Tokenize(pair).Tokens);
            Assert.Equal(tokens.Select(t => t!.GetValue<string>()), pieces);
        }
        if (c["offsets"] is JsonArray offsets)
            Assert.Equal(offsets.Select(o => (Ints(o)[0], Ints(o)[1])), enc.Offsets.Select(o => (o.Start, o.End)));
    }
}

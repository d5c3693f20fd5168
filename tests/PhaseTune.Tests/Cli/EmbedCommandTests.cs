using System.Text.Json.Nodes;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Text;
using Xunit;

namespace PhaseTune.Tests.Cli;

public class EmbedCommandTests
{
    static readonly string TinyBert = Paths.Fixture("tiny-bert");
    // the texts whose ids are rows 0-2 of tiny-bert's reference.json
    static readonly string[] Texts = ["How are you doing?", "You should've done this", "The company was founded in 2016."];

    static List<JsonObject> Embed(string model, string? pooling, params string[] texts) => Embed(model, pooling, [], texts);

    static List<JsonObject> Embed(string model, string? pooling, string[] flags, string[] texts)
    {
        string dir = Paths.TempDir(), input = Path.Combine(dir, "in.txt"), output = Path.Combine(dir, "out.jsonl");
        File.WriteAllText(input, string.Join("\n", texts) + "\n");
        var args = new List<string> { "embed", "--model", model, "--input", input, "--output", output, "--batch-size", "2" };
        if (pooling is not null) args.AddRange(["--pooling", pooling]);
        args.AddRange(flags);
        var (code, _, err) = CliRunner.Run(args.ToArray());
        Assert.True(code == 0, err);
        return File.ReadAllLines(output).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
    }

    static float[] Vec(JsonNode n) => n.AsArray().Select(v => v!.GetValue<float>()).ToArray();

    [Theory]
    [InlineData("cls", "cls_pooled")]
    [InlineData("mean", "mean_pooled")]
    [InlineData("pooler", "pooler_output")]
    public void EmbeddingsMatchTheHfReferenceInInputOrder(string pooling, string key)
    {
        var rows = Embed(TinyBert, pooling, Texts);
        var reference = PhaseTune.Tests.Models.EncoderReferenceTests.Reference("tiny-bert")[key]!.AsArray();
        Assert.Equal(Texts.Length, rows.Count);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(Texts[i], rows[i]["text"]!.GetValue<string>());
            var got = Vec(rows[i]["embedding"]!);
            var want = Vec(reference[i]!);
            Assert.True(got.Zip(want, (a, b) => Math.Abs(a - b)).Max() < 1e-4, $"row {i} differs");
        }
    }

    [Fact]
    public void Bf16EmbeddingsStayWithinTheStatedToleranceOfTheReferenceButAreComputedInBf16()
    {
        var fp32 = Embed(TinyBert, "mean", Texts);
        var bf16 = Embed(TinyBert, "mean", ["--precision", "bf16"], Texts);
        var reference = PhaseTune.Tests.Models.EncoderReferenceTests.Reference("tiny-bert")["mean_pooled"]!.AsArray();
        for (int i = 0; i < Texts.Length; i++)
        {
            var got = Vec(bf16[i]["embedding"]!);
            double worst = got.Zip(Vec(reference[i]!), (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst < 5e-2, $"row {i}: bf16 differs from HF by {worst:E2}");
            Assert.NotEqual(Vec(fp32[i]["embedding"]!), got);
        }
        var (code, _, err) = CliRunner.Run("embed", "--model", TinyBert, "--input", Path.Combine(Paths.TempDir(), "none.txt"), "--output", Path.Combine(Paths.TempDir(), "o.jsonl"), "--precision", "fp16");
        Assert.NotEqual(0, code);
        Assert.Contains("precision must be fp32, bf16 or auto, got 'fp16'", err);
    }

    [Fact]
    public void PoolingDefaultsToTheSentenceTransformersConfig()
    {
        var loaded = ModelDirectory.Load(TinyBert);
        string st = Path.Combine(Paths.TempDir(), "st");
        ModelDirectory.Save(loaded.Model, loaded.Tokenizer, st, new SentencePipeline(PoolingMode.Max, false, null));
        var byDefault = Embed(st, null, Texts);
        var max = Embed(st, "max", Texts);
        var cls = Embed(TinyBert, null, Texts);
        Assert.Equal(Vec(max[1]["embedding"]!), Vec(byDefault[1]["embedding"]!));
        Assert.NotEqual(Vec(cls[1]["embedding"]!), Vec(byDefault[1]["embedding"]!));
    }

    [Fact]
    public void RobertaFixtureEmbedsEmptyAndUnicodeLines()
    {
        var rows = Embed(Paths.Fixture("tiny-roberta"), "mean", "", "héllo wörld 😂", "plain");
        Assert.Equal(3, rows.Count);
        Assert.Equal("héllo wörld 😂", rows[1]["text"]!.GetValue<string>());
        Assert.All(rows, r => Assert.Equal(32, r["embedding"]!.AsArray().Count));
    }

    static void AssertFails(string expected, params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void BadInputsFailWithOneLineReasons()
    {
        string dir = Paths.TempDir(), good = Path.Combine(dir, "in.txt"), output = Path.Combine(dir, "out.jsonl");
        File.WriteAllText(good, "hello\n");
        AssertFails("file not found", "embed", "--model", TinyBert, "--input", Path.Combine(dir, "nope.txt"), "--output", output);
        File.WriteAllText(Path.Combine(dir, "empty.txt"), "");
        AssertFails("input file is empty", "embed", "--model", TinyBert, "--input", Path.Combine(dir, "empty.txt"), "--output", output);
        File.WriteAllBytes(Path.Combine(dir, "bad.txt"), [0x61, 0x0a, 0xff, 0xfe, 0x0a]);
        AssertFails("bad.txt:2: not valid UTF-8", "embed", "--model", TinyBert, "--input", Path.Combine(dir, "bad.txt"), "--output", output);
        AssertFails("model directory not found", "embed", "--model", Path.Combine(dir, "nomodel"), "--input", good, "--output", output);

        string broken = Path.Combine(dir, "broken");
        Directory.CreateDirectory(broken);
        foreach (var f in new[] { "config.json", "vocab.txt" }) File.Copy(Path.Combine(TinyBert, f), Path.Combine(broken, f));
        File.WriteAllBytes(Path.Combine(broken, "model.safetensors"), File.ReadAllBytes(Path.Combine(TinyBert, "model.safetensors"))[..5000]);
        AssertFails("truncated", "embed", "--model", broken, "--input", good, "--output", output);
        File.WriteAllText(Path.Combine(broken, "config.json"), "{ not json");
        AssertFails("config.json: invalid JSON", "embed", "--model", broken, "--input", good, "--output", output);
        AssertFails("unknown pooling", "embed", "--model", TinyBert, "--input", good, "--output", output, "--pooling", "avg");
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(dir, ".*"));   // no half-written temp files left behind
    }

    [Fact]
    public void ASentenceTransformersCheckpointEmbedsAsSentenceTransformersEncodeDoes()
    {
        // the reference gives token ids before truncation; rebuild the texts from them (every id re-encodes to itself)
        string st = Paths.Fixture("tiny-bert-st");
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(st, "reference.json")))!;
        var tok = PhaseTune.Text.TokenizerLoader.Load(Path.Combine(st, "0_Transformer"));
        var texts = reference["input_ids_untruncated"]!.AsArray().Select(row =>
        {
            var ids = row!.AsArray().Select(i => i!.GetValue<int>()).ToArray();
            string text = string.Join(" ", ids[1..^1].Select(tok.IdToToken)).Replace(" ##", "");
            Assert.Equal(ids, PhaseTune.Text.TokenizerExtensions.Encode(tok, text).Ids);
            return text;
        }).ToArray();
        Assert.Contains(texts, t => PhaseTune.Text.TokenizerExtensions.Encode(tok, t).Length > reference["max_seq_length"]!.GetValue<int>());
        var rows = Embed(st, null, texts);
        var expected = reference["sentence_embedding"]!.AsArray();
        for (int i = 0; i < texts.Length; i++)
        {
            var got = Vec(rows[i]["embedding"]!);
            var want = Vec(expected[i]!);
            Assert.Equal(want.Length, got.Length);
            for (int d = 0; d < want.Length; d++) Assert.True(Math.Abs(want[d] - got[d]) < 1e-4, $"text {i} dim {d}: {got[d]} vs {want[d]}");
        }
    }
}

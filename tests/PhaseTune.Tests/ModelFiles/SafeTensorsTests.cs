using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Text;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.ModelFiles;

public class SafeTensorsTests
{
    static readonly string TinyBert = Paths.Fixture("tiny-bert");

    [Fact]
    public void RoundTripIsBitExactForEveryDType()
    {
        var tensors = new (string, Tensor)[]
        {
            ("a.f32", randn(3, 5)), ("b.f16", randn(4).to_type(ScalarType.Float16)),
            ("c.bf16", randn(2, 2).to_type(ScalarType.BFloat16)), ("d.i64", tensor(new long[] { -1, 0, long.MaxValue })),
            ("e.empty", zeros(0, 3)),
        };
        string path = Path.Combine(Paths.TempDir(), "t.safetensors");
        SafeTensorsFile.Save(path, tensors);
        var file = SafeTensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        foreach (var (name, t) in tensors)
        {
            var back = file.Read(name);
            Assert.Equal(t.dtype, back.dtype);
            Assert.Equal(t.shape, back.shape);
            Assert.Equal(t.bytes.ToArray(), back.bytes.ToArray());
        }
        // header length is a multiple of 8, as the format requires
        Assert.Equal(0, BitConverter.ToInt64(File.ReadAllBytes(path), 0) % 8);
    }

    [Fact]
    public void FixtureResavesToIdenticalTensors()
    {
        var src = SafeTensorsFile.Open(Path.Combine(TinyBert, "model.safetensors"));
        string path = Path.Combine(Paths.TempDir(), "copy.safetensors");
        SafeTensorsFile.Save(path, src.Entries.Keys.Select(k => (k, src.Read(k))));
        var copy = SafeTensorsFile.Open(path);
        Assert.Equal(src.Entries.Keys.Order(), copy.Entries.Keys.Order());
        foreach (var k in src.Entries.Keys) Assert.Equal(src.Read(k).bytes.ToArray(), copy.Read(k).bytes.ToArray());
    }

    [Fact]
    public void SaveThenLoadGivesSameOutputsAndBits()
    {
        var loaded = ModelDirectory.Load(TinyBert);
        string dir = Path.Combine(Paths.TempDir(), "saved");
        ModelDirectory.Save(loaded.Model, loaded.Tokenizer, dir, new SentencePipeline(PoolingMode.Mean, false, null));
        var again = ModelDirectory.Load(dir);
        Assert.Equal(PoolingMode.Mean, again.Pooling);
        var a = loaded.Model.state_dict();
        foreach (var (k, v) in again.Model.state_dict()) Assert.Equal(a[k].bytes.ToArray(), v.bytes.ToArray());
        var texts = new[] { "hello world", "a somewhat longer sentence, with punctuation!" };
        var e1 = new Embedder(loaded.Model, loaded.Tokenizer, PoolingMode.Mean).Embed(texts);
        var e2 = new Embedder(again.Model, again.Tokenizer, PoolingMode.Mean).Embed(texts);
        Assert.Equal(e1, e2);
        Assert.Equal(loaded.Tokenizer.Encode(texts[1]).Ids, again.Tokenizer.Encode(texts[1]).Ids);
    }

    [Fact]
    public void SaveReplacesAnExistingDirectoryWhole()
    {
        var loaded = ModelDirectory.Load(TinyBert);
        string dir = Path.Combine(Paths.TempDir(), "m");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "stale.txt"), "old");
        ModelDirectory.Save(loaded.Model, loaded.Tokenizer, dir);
        Assert.False(File.Exists(Path.Combine(dir, "stale.txt")));
        Assert.True(File.Exists(Path.Combine(dir, "model.safetensors")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(dir)!, ".*"));   // no temp leftovers
    }

    static string CopyFixture(Action<string> damage)
    {
        string dir = Path.Combine(Paths.TempDir(), "broken");
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "config.json", "model.safetensors", "vocab.txt" })
            File.Copy(Path.Combine(TinyBert, f), Path.Combine(dir, f));
        damage(Path.Combine(dir, "model.safetensors"));
        return dir;
    }

    [Fact]
    public void CorruptHeaderIsReported()
    {
        var dir = CopyFixture(p =>
        {
            var b = File.ReadAllBytes(p);
            b[8] = (byte)'#';   // first byte of the JSON header
            File.WriteAllBytes(p, b);
        });
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains("corrupt safetensors header", e.Message);
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void TruncatedFileIsReported()
    {
        var dir = CopyFixture(p =>
        {
            var b = File.ReadAllBytes(p);
            File.WriteAllBytes(p, b[..(b.Length - 100)]);
        });
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains("truncated file", e.Message);
    }

    [Fact]
    public void HeaderLongerThanFileIsReported()
    {
        string path = Path.Combine(Paths.TempDir(), "x.safetensors");
        File.WriteAllBytes(path, BitConverter.GetBytes(1000L).Concat(System.Text.Encoding.UTF8.GetBytes("{}")).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("truncated safetensors file", e.Message);
    }

    static void Rewrite(string path, Func<Dictionary<string, Tensor>, IEnumerable<(string, Tensor)>> edit)
    {
        var f = SafeTensorsFile.Open(path);
        var all = f.Entries.Keys.ToDictionary(k => k, f.Read);
        SafeTensorsFile.Save(path, edit(all).ToList());
    }

    [Fact]
    public void WrongShapeIsReportedWithBothShapes()
    {
        var dir = CopyFixture(p => Rewrite(p, all =>
            all.Select(kv => kv.Key == "encoder.layer.1.attention.self.query.weight" ? (kv.Key, zeros(32, 16)) : (kv.Key, kv.Value))));
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains("shape mismatches (1): encoder.layer.1.attention.self.query.weight: checkpoint [32, 16] vs model [32, 32]", e.Message);
    }

    [Fact]
    public void MissingKeyIsReportedByName()
    {
        var dir = CopyFixture(p => Rewrite(p, all =>
            all.Where(kv => kv.Key != "encoder.layer.0.output.LayerNorm.bias").Select(kv => (kv.Key, kv.Value))));
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains("missing keys (1): encoder.layer.0.output.LayerNorm.bias", e.Message);
    }

    [Fact]
    public void PrefixedAndGammaBetaNamesLoad()
    {
        var dir = CopyFixture(p => Rewrite(p, all => all.Select(kv =>
            ("bert." + kv.Key.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta"), kv.Value))
            .Append(("cls.predictions.bias", zeros(3)))));
        var loaded = ModelDirectory.Load(dir);
        Assert.Equal(["cls.predictions.bias"], loaded.Report.Unused);
        var reference = ModelDirectory.Load(TinyBert).Model.state_dict();
        foreach (var (k, v) in loaded.Model.state_dict()) Assert.Equal(reference[k].bytes.ToArray(), v.bytes.ToArray());
    }

    [Fact]
    public void MissingPoolerIsFreshNotAnError()
    {
        var dir = CopyFixture(p => Rewrite(p, all => all.Where(kv => !kv.Key.StartsWith("pooler.")).Select(kv => (kv.Key, kv.Value))));
        var loaded = ModelDirectory.Load(dir);
        Assert.Equal(["pooler.dense.bias", "pooler.dense.weight"], loaded.Report.NewlyInitialized.Order());
    }

    // L6 keeps the old 0_Transformer/ layout; L12 the newer one with a Normalize module. Tiny weights stand in.
    [Theory]
    [InlineData("all-MiniLM-L6-v2", false)]
    [InlineData("all-MiniLM-L12-v2", true)]
    public void SentenceTransformersLayoutsHonourPooling(string name, bool normalize)
    {
        string dir = Path.Combine(Paths.TempDir(), "st");
        foreach (var f in Directory.GetFiles(Path.Combine(Paths.Models, name), "*", SearchOption.AllDirectories))
        {
            string dst = Path.Combine(dir, Path.GetRelativePath(Path.Combine(Paths.Models, name), f));
            Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
            File.Copy(f, dst);
        }
        string hf = File.Exists(Path.Combine(dir, "0_Transformer", "config.json")) ? Path.Combine(dir, "0_Transformer") : dir;
        File.Copy(Path.Combine(TinyBert, "config.json"), Path.Combine(hf, "config.json"), overwrite: true);
        File.Copy(Path.Combine(TinyBert, "model.safetensors"), Path.Combine(hf, "model.safetensors"));
        var loaded = ModelDirectory.Load(dir);
        Assert.Equal(PoolingMode.Mean, loaded.Pooling);
        Assert.Equal(normalize, loaded.Normalize);
        Assert.Equal(30522, loaded.Tokenizer.VocabSize);
    }
}

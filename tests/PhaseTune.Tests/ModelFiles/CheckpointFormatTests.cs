using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Tests.Models;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.ModelFiles;

/// <summary>Sharded safetensors, torch.save's pytorch_model.bin (single and sharded) and the restricted unpickler,
/// on the fixtures tools/make_format_fixtures.py wrote into Fixtures/formats.</summary>
public class CheckpointFormatTests
{
    static readonly string TinyBert = Paths.Fixture("tiny-bert");
    static readonly string Formats = Path.Combine(Paths.RepoRoot, "tests", "PhaseTune.Tests", "Fixtures", "formats");
    const string Marker = "/tmp/phasetune-pickle-payload-ran";   // what every malicious fixture's payload would create

    /// <summary>tiny-bert's config and vocabulary in a fresh folder, without weights.</summary>
    static string ModelFolder()
    {
        string dir = Path.Combine(Paths.TempDir(), "model");
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "config.json", "vocab.txt" }) File.Copy(Path.Combine(TinyBert, f), Path.Combine(dir, f));
        return dir;
    }

    /// <summary>tiny-bert's model.safetensors split into three shards with HF's names and index.</summary>
    static string ShardedTinyBert()
    {
        string dir = ModelFolder();
        var src = SafeTensorsFile.Open(Path.Combine(TinyBert, "model.safetensors"));
        var keys = src.Entries.Keys.Order(StringComparer.Ordinal).ToList();
        var map = new JsonObject();
        for (int s = 0; s < 3; s++)
        {
            string shard = $"model-0000{s + 1}-of-00003.safetensors";
            var mine = keys.Where((_, i) => i % 3 == s).ToList();
            SafeTensorsFile.Save(Path.Combine(dir, shard), mine.Select(k => (k, src.Read(k))));
            foreach (var k in mine) map[k] = shard;
        }
        long total = src.Entries.Values.Sum(e => e.End - e.Begin);
        WriteIndex(dir, "model.safetensors.index.json", map, total);
        return dir;
    }

    static void WriteIndex(string dir, string name, JsonObject map, long? total)
    {
        var root = new JsonObject { ["weight_map"] = map };
        if (total is long t) root["metadata"] = new JsonObject { ["total_size"] = t };
        File.WriteAllText(Path.Combine(dir, name), root.ToJsonString());
    }

    static JsonObject Index(string dir, string name = "model.safetensors.index.json") =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, name)))!.AsObject();

    [Fact]
    public void ShardedSafetensorsCopyOfTinyBertGivesTheReferenceOutputs()
    {
        string dir = ShardedTinyBert();
        var loaded = ModelDirectory.Load(dir);
        Assert.EndsWith("model.safetensors.index.json", loaded.Report.Source);
        Assert.Empty(loaded.Report.NewlyInitialized);
        EncoderReferenceTests.CheckOutputs(loaded.Model, EncoderReferenceTests.Reference("tiny-bert"), 1e-4);
    }

    [Fact]
    public void BinCopyOfTinyBertGivesTheReferenceOutputs()
    {
        string dir = ModelFolder();
        File.Copy(Path.Combine(Formats, "tiny-bert.bin"), Path.Combine(dir, "pytorch_model.bin"));
        var loaded = ModelDirectory.Load(dir);
        Assert.EndsWith("pytorch_model.bin", loaded.Report.Source);
        Assert.Empty(loaded.Report.NewlyInitialized);
        Assert.Empty(loaded.Report.Unused);   // the position_ids buffer older transformers saved is skipped, as HF skips it
        EncoderReferenceTests.CheckOutputs(loaded.Model, EncoderReferenceTests.Reference("tiny-bert"), 1e-4);
    }

    [Fact]
    public void BinCopyHoldsTheSameNumbersAsTheSafetensors()
    {
        var bin = TorchCheckpoint.Open(Path.Combine(Formats, "tiny-bert.bin"));
        var st = SafeTensorsFile.Open(Path.Combine(TinyBert, "model.safetensors"));
        Assert.Equal(st.Tensors.Keys.Append("embeddings.position_ids").Order(), bin.Tensors.Keys.Order());
        foreach (var k in st.Tensors.Keys) Assert.Equal(st.Read(k).bytes.ToArray(), bin.Read(k).bytes.ToArray());
        var ids = bin.Read("embeddings.position_ids");
        Assert.Equal(ScalarType.Int64, ids.dtype);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (long)i), ids.data<long>().ToArray());
    }

    [Fact]
    public void SafetensorsIsPreferredWhenBothExist()
    {
        string dir = ModelFolder();
        File.Copy(Path.Combine(TinyBert, "model.safetensors"), Path.Combine(dir, "model.safetensors"));
        File.Copy(Path.Combine(Formats, "views.bin"), Path.Combine(dir, "pytorch_model.bin"));   // would not fit
        Assert.EndsWith("model.safetensors", ModelDirectory.Load(dir).Report.Source);
    }

    static void AssertValues(ICheckpoint c)
    {
        void Is(string name, ScalarType type, long[] shape, float[] values)
        {
            var t = c.Read(name);
            Assert.Equal(type, t.dtype);
            Assert.Equal(shape, t.shape);
            Assert.Equal(values, t.to_type(ScalarType.Float32).data<float>().ToArray());
        }
        Is("base", ScalarType.Float32, [3, 4], Enumerable.Range(0, 12).Select(i => (float)i).ToArray());
        Is("transposed", ScalarType.Float32, [4, 3], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
        Is("slice", ScalarType.Float32, [2, 2], [5, 6, 9, 10]);
        Is("broadcast", ScalarType.Float32, [3], [7, 7, 7]);
        Is("half", ScalarType.Float16, [3], [0.5f, -1.25f, 65504f]);
        Is("bf16", ScalarType.BFloat16, [3], [1f, -2.5f, tensor(3.0e38f).to_type(ScalarType.BFloat16).to_type(ScalarType.Float32).item<float>()]);
        Is("param", ScalarType.Float32, [1, 2], [1.5f, -0.5f]);
        var l = c.Read("long");
        Assert.Equal(ScalarType.Int64, l.dtype);
        Assert.Equal([0L, 1, 2, 3, 4], l.data<long>().ToArray());
    }

    [Fact]
    public void DTypesViewsAndSharedStoragesReadExactly()
    {
        var c = TorchCheckpoint.Open(Path.Combine(Formats, "views.bin"));
        AssertValues(c);
        Assert.Equal(c.Tensors["base"].Storage, c.Tensors["transposed"].Storage);
        Assert.Equal(c.Tensors["base"].Storage, c.Tensors["slice"].Storage);
        Assert.NotEqual(c.Tensors["base"].Storage, c.Tensors["half"].Storage);
        Assert.Equal(4 * 4, c.Tensors["slice"].Bytes);
    }

    [Fact]
    public void ShardedBinReadsLikeTheSingleFile()
    {
        var c = CheckpointFiles.OpenFile(Path.Combine(Formats, "views-sharded", "pytorch_model.bin.index.json"));
        Assert.IsType<ShardedCheckpoint>(c);
        Assert.Equal(8, c.Tensors.Count);
        AssertValues(c);
    }

    [Theory]
    [InlineData("evil-system.bin", "posix.system")]
    [InlineData("evil-exec.pkl", "__builtin__.exec")]
    [InlineData("evil-late.bin", "posix.system")]
    public void MaliciousPicklesAreRefusedNamingTheGlobal(string fixture, string global)
    {
        string path = Path.Combine(Formats, fixture);
        // the fixture really would run code under Python's pickle: GLOBAL module\nname\n, then REDUCE
        var bytes = fixture.EndsWith(".pkl") ? File.ReadAllBytes(path) : PickleOf(path);
        var g = global.Split('.');
        Assert.Contains($"c{g[0]}\n{g[1]}\n", Encoding.Latin1.GetString(bytes));
        File.Delete(Marker);
        var e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"'{global}'", e.Message);
        Assert.Contains("refuses", e.Message);
        Assert.False(File.Exists(Marker));
    }

    [Fact]
    public void AMaliciousPytorchModelBinIsRefusedByModelDirectory()
    {
        string dir = ModelFolder();
        File.Copy(Path.Combine(Formats, "evil-late.bin"), Path.Combine(dir, "pytorch_model.bin"));
        File.Delete(Marker);
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains("pytorch_model.bin", e.Message);
        Assert.Contains("'posix.system'", e.Message);
        Assert.False(File.Exists(Marker));
    }

    static byte[] PickleOf(string zip)
    {
        using var z = ZipFile.OpenRead(zip);
        using var s = z.Entries.Single(e => e.FullName.EndsWith("/data.pkl")).Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    /// <summary>A copy of a torch zip with its entries passed through <paramref name="edit"/> (null drops one).</summary>
    static string Rezip(string src, Func<string, byte[], byte[]?> edit, CompressionLevel level = CompressionLevel.NoCompression)
    {
        string dst = Path.Combine(Paths.TempDir(), Path.GetFileName(src));
        using var from = ZipFile.OpenRead(src);
        using var to = ZipFile.Open(dst, ZipArchiveMode.Create);
        foreach (var e in from.Entries)
        {
            using var m = new MemoryStream();
            using (var s = e.Open()) s.CopyTo(m);
            if (edit(e.FullName, m.ToArray()) is not { } bytes) continue;
            using var w = to.CreateEntry(e.FullName, level).Open();
            w.Write(bytes);
        }
        return dst;
    }

    [Fact]
    public void TruncatedZipIsAClearError()
    {
        string path = Path.Combine(Paths.TempDir(), "pytorch_model.bin");
        var whole = File.ReadAllBytes(Path.Combine(Formats, "tiny-bert.bin"));
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated or corrupt zip", e.Message);
    }

    [Fact]
    public void EveryTruncationOfThePickleIsAClearError()
    {
        string src = Path.Combine(Formats, "views.bin");
        int length = PickleOf(src).Length;
        for (int cut = 0; cut < length; cut += 13)
        {
            string path = Rezip(src, (name, b) => name.EndsWith("data.pkl") ? b[..cut] : b);
            var e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Open(path));
            Assert.Contains(path, e.Message);
        }
        string half = Rezip(src, (name, b) => name.EndsWith("data.pkl") ? b[..(length / 2)] : b);
        Assert.Contains("ends before its STOP", Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Open(half)).Message);
    }

    [Fact]
    public void AStorageOfTheWrongSizeOrMissingIsAClearError()
    {
        string src = Path.Combine(Formats, "views.bin");
        string shorter = Rezip(src, (name, b) => name.EndsWith("data/0") ? b[..^4] : b);
        var e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Open(shorter));
        Assert.Contains("views/data/0 holds 44 bytes", e.Message);
        string missing = Rezip(src, (name, b) => name.EndsWith("data/0") ? null : b);
        Assert.Contains("storage '0' has no views/data/0", Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Open(missing)).Message);
    }

    [Fact]
    public void ACompressedStorageIsRefused()
    {
        // torch.save never deflates; a deflated entry could declare any size and make the reader allocate it
        string path = Rezip(Path.Combine(Formats, "views.bin"), (_, b) => b, CompressionLevel.Optimal);
        Assert.Contains("is compressed, which torch.save never does", Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Open(path)).Message);
    }

    [Fact]
    public void AViewPastItsStorageIsRefused()
    {
        // evil-late's first tensor: storage of 2 floats, offset 0 (K\x00), size (2,) (K\x02 TUPLE1); offset 1 overruns it
        string src = Path.Combine(Formats, "evil-late.bin");
        byte[] view = [(byte)'K', 0, (byte)'K', 2, 0x85];
        string path = Rezip(src, (name, b) =>
        {
            if (!name.EndsWith("data.pkl")) return b;
            int at = b.AsSpan().IndexOf(view);
            Assert.True(at > 0);
            b[at + 1] = 1;
            return b;
        });
        var e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Open(path));
        Assert.Contains("runs past its storage '0' of 2 numbers", e.Message);
    }

    [Fact]
    public void LegacyTorchFormatIsRefusedWithAdvice()
    {
        string path = Path.Combine(Formats, "legacy.bin");
        var e = Assert.Throws<NotSupportedException>(() => TorchCheckpoint.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("legacy format", e.Message);
        Assert.Contains("safetensors", e.Message);
    }

    [Fact]
    public void MissingShardIsNamedWithItsKey()
    {
        string dir = ShardedTinyBert();
        File.Delete(Path.Combine(dir, "model-00002-of-00003.safetensors"));
        var e = Assert.Throws<FileNotFoundException>(() => ModelDirectory.Load(dir));
        Assert.Contains("model.safetensors.index.json", e.Message);
        Assert.Contains("shard 'model-00002-of-00003.safetensors'", e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void AKeyAbsentFromItsShardIsNamed()
    {
        string dir = ShardedTinyBert();
        var index = Index(dir);
        var map = index["weight_map"]!.AsObject();
        string key = map.First(kv => kv.Value!.GetValue<string>() == "model-00001-of-00003.safetensors").Key;
        map[key] = "model-00002-of-00003.safetensors";
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), index.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains($"'{key}' in model-00002-of-00003.safetensors", e.Message);
        Assert.Contains("no such tensor", e.Message);
    }

    [Fact]
    public void AKeyInTwoShardsOrInNoneOfTheIndexIsRefused()
    {
        string dir = ShardedTinyBert();
        var src = SafeTensorsFile.Open(Path.Combine(dir, "model-00001-of-00003.safetensors"));
        string key = src.Entries.Keys.First();
        // shard 3 also holds shard 1's first tensor
        var three = SafeTensorsFile.Open(Path.Combine(dir, "model-00003-of-00003.safetensors"));
        var tensors = three.Entries.Keys.Select(k => (k, three.Read(k))).Append((key, src.Read(key))).ToList();
        SafeTensorsFile.Save(Path.Combine(dir, "model-00003-of-00003.safetensors"), tensors);
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains($"'{key}' is in both model-00001-of-00003.safetensors and model-00003-of-00003.safetensors", e.Message);

        var index = Index(dir);
        index["weight_map"]!.AsObject().Remove(key);
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), index.ToJsonString());
        e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains($"holds '{key}', which", e.Message);
        Assert.Contains("does not list", e.Message);
    }

    [Fact]
    public void AShardPathEscapingTheFolderIsRefused()
    {
        string dir = ShardedTinyBert();
        string outside = Path.Combine(Path.GetDirectoryName(dir)!, "outside.safetensors");
        File.Copy(Path.Combine(dir, "model-00001-of-00003.safetensors"), outside);
        string original = File.ReadAllText(Path.Combine(dir, "model.safetensors.index.json"));
        foreach (var shard in new[] { "../outside.safetensors", outside })
        {
            var index = JsonNode.Parse(original)!.AsObject();
            var map = index["weight_map"]!.AsObject();
            foreach (var k in map.Where(kv => kv.Value!.GetValue<string>() == "model-00001-of-00003.safetensors").Select(kv => kv.Key).ToList())
                map[k] = shard;
            File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), index.ToJsonString());
            var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
            Assert.Contains("model.safetensors.index.json (shard of", e.Message);
            Assert.Contains(Path.IsPathRooted(shard) ? "absolute path" : "outside the model folder", e.Message);
        }
    }

    [Fact]
    public void AWrongTotalSizeIsRefusedAndAnAbsentOneAccepted()
    {
        string dir = ShardedTinyBert();
        var index = Index(dir);
        long total = index["metadata"]!["total_size"]!.GetValue<long>();
        index["metadata"]!["total_size"] = total + 4;
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), index.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains($"total_size is {total + 4} bytes, but its shards hold {total}", e.Message);
        index.Remove("metadata");
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), index.ToJsonString());
        Assert.Empty(ModelDirectory.Load(dir).Report.NewlyInitialized);
    }

    [Fact]
    public void AnIndexCannotNameAnotherIndexAsAShard()
    {
        string dir = ModelFolder();
        WriteIndex(dir, "model.safetensors.index.json", new JsonObject { ["a"] = "model.safetensors.index.json" }, null);
        var e = Assert.Throws<InvalidDataException>(() => CheckpointFiles.Open(new SandboxedFolder(dir)));
        Assert.Contains("an index cannot be a shard", e.Message);
    }
}

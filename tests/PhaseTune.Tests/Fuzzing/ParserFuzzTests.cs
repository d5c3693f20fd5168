using System.Text;
using System.Text.Json.Nodes;
using PhaseTune.Data;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.MultiTask;
using PhaseTune.Runs;
using PhaseTune.Text;
using Xunit;
using static TorchSharp.torch;

namespace PhaseTune.Tests.Fuzzing;

/// <summary>Every parser of user or model files, fed seeded mutations of a valid file: each input must end in a
/// result or in a PhaseTune error (the kinds the CLI prints as one line) that names the file — never another
/// exception, a hang, or an allocation sized by a header nobody checked. `bench/fuzz.sh` runs the same much longer.</summary>
public class ParserFuzzTests
{
    /// <summary>Inputs per parser in the suite; PHASETUNE_FUZZ_INPUTS raises it for a long run.</summary>
    static readonly int Inputs = int.TryParse(Environment.GetEnvironmentVariable("PHASETUNE_FUZZ_INPUTS"), out var n) ? n : 2000;
    static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("PHASETUNE_FUZZ_SEED"), out var s) ? s : 1;

    static bool IsPhaseTuneError(Exception e) => e is InvalidDataException or NotSupportedException or IOException or ArgumentException;

    /// <summary>Writes each mutation of <paramref name="valid"/> to <paramref name="path"/> and parses it.</summary>
    static void Fuzz(string path, byte[] valid, Action parse, int? inputs = null)
    {
        File.WriteAllBytes(path, valid);
        parse();   // the unmutated file is valid
        string name = Path.GetFileName(path);
        var failures = new List<string>();
        int count = inputs ?? Inputs;
        for (int i = 0; i < count && failures.Count < 5; i++)
        {
            var input = Mutator.Mutate(valid, Seed, i);
            File.WriteAllBytes(path, input);
            long before = GC.GetTotalAllocatedBytes();
            Exception? error = null;
            var run = Task.Run(() => { try { parse(); } catch (Exception e) { error = e; } });
            if (!run.Wait(TimeSpan.FromSeconds(10))) { failures.Add($"input {i}: no answer in 10 s"); break; }
            if (error is not null && !(IsPhaseTuneError(error) && error.Message.Contains(name)))
                failures.Add($"input {i}: {error.GetType().Name}: {error.Message.ReplaceLineEndings(" ")[..Math.Min(300, error.Message.Length)]}");
            if (error is null && GC.GetTotalAllocatedBytes() - before > (256L << 20))
                failures.Add($"input {i}: allocated {GC.GetTotalAllocatedBytes() - before} bytes for a {input.Length}-byte file");
        }
        Assert.True(failures.Count == 0, $"{name} (seed {Seed}):\n" + string.Join("\n", failures));
    }

    static string Dir() => Paths.TempDir();

    [Fact]
    public void SafeTensorsHeadersAndOffsets()
    {
        string path = Path.Combine(Dir(), "model.safetensors");
        SafeTensorsFile.Save(path, [("a.weight", randn(3, 4)), ("a.bias", zeros(4, dtype: ScalarType.Float16)), ("ids", arange(5L)),
            ("rng", ones(6, dtype: ScalarType.Byte)), ("b", zeros(2, 2, dtype: ScalarType.BFloat16))]);
        Fuzz(path, File.ReadAllBytes(path), () =>
        {
            var f = SafeTensorsFile.Open(path);
            foreach (var e in f.Entries.Keys) f.Read(e).Dispose();
        });
    }

    [Fact]
    public void ConfigJson()
    {
        string path = Path.Combine(Dir(), "config.json");
        Fuzz(path, File.ReadAllBytes(Path.Combine(Paths.Fixture("tiny-roberta"), "config.json")), () => _ = EncoderConfig.Load(path).ParameterCount);
    }

    static readonly string Sample = "Héllo, world! The quick brown fox — 42 jumped. 😂 naïve café";

    [Fact]
    public void TokenizerJson()
    {
        // the real tokenizer.json with its vocabulary cut to the first 400 entries, so each parse is quick
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.Fixture("tiny-bert-mlm"), "tokenizer.json")))!;
        var vocab = json["model"]!["vocab"]!.AsObject();
        foreach (var key in vocab.Where(kv => kv.Value!.GetValue<int>() >= 400).Select(kv => kv.Key).ToList()) vocab.Remove(key);
        string dir = Dir(), path = Path.Combine(dir, "tokenizer.json");
        Fuzz(path, Encoding.UTF8.GetBytes(json.ToJsonString()), () => TokenizerLoader.Load(dir).Encode(Sample, "a pair", maxLength: 64));
    }

    [Fact]
    public void VocabTxt()
    {
        string dir = Dir(), path = Path.Combine(dir, "vocab.txt");
        var lines = File.ReadLines(Path.Combine(Paths.Fixture("tiny-bert"), "vocab.txt")).Take(400);
        Fuzz(path, Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"), () => TokenizerLoader.Load(dir).Encode(Sample, maxLength: 64));
    }

    [Fact]
    public void VocabJsonAndMergesTxt()
    {
        string source = Paths.Fixture("tiny-roberta-mlm"), dir = Dir();
        var full = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "vocab.json")))!.AsObject();
        // the first 600 ids, renumbered densely with the special tokens after them
        string[] specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"];
        var tokens = full.Where(kv => kv.Value!.GetValue<int>() < 600 && !specials.Contains(kv.Key)).OrderBy(kv => kv.Value!.GetValue<int>()).Select(kv => kv.Key).Concat(specials);
        var kept = new JsonObject(tokens.Select((t, i) => KeyValuePair.Create(t, (JsonNode?)JsonValue.Create(i))));
        var merges = File.ReadLines(Path.Combine(source, "merges.txt")).Skip(1).Select(l => l.Split(' ')).Where(p => p.Length == 2 &&
            kept.ContainsKey(p[0]) && kept.ContainsKey(p[1]) && kept.ContainsKey(p[0] + p[1])).Take(300).Select(p => $"{p[0]} {p[1]}");
        byte[] vocabBytes = Encoding.UTF8.GetBytes(kept.ToJsonString()), mergesBytes = Encoding.UTF8.GetBytes("#version: 0.2\n" + string.Join("\n", merges) + "\n");
        File.WriteAllBytes(Path.Combine(dir, "merges.txt"), mergesBytes);
        Fuzz(Path.Combine(dir, "vocab.json"), vocabBytes, () => TokenizerLoader.Load(dir).Encode(Sample, maxLength: 64));
        File.WriteAllBytes(Path.Combine(dir, "vocab.json"), vocabBytes);
        Fuzz(Path.Combine(dir, "merges.txt"), mergesBytes, () => TokenizerLoader.Load(dir).Encode(Sample, maxLength: 64));
    }

    [Fact]
    public void ModulesJsonAndPoolingConfig()
    {
        string dir = Dir();
        Directory.CreateDirectory(Path.Combine(dir, "0_Transformer"));
        Directory.CreateDirectory(Path.Combine(dir, "1_Pooling"));
        string st = Paths.Fixture("tiny-bert-st");
        Fuzz(Path.Combine(dir, "modules.json"), File.ReadAllBytes(Path.Combine(st, "modules.json")), () => ModelDirectory.Layout(dir));
        string pooling = Path.Combine(dir, "1_Pooling", "config.json");
        Fuzz(pooling, File.ReadAllBytes(Path.Combine(st, "1_Pooling", "config.json")), () => ModelDirectory.ReadPooling(pooling));
    }

    static byte[] SnipsRows(int n) => Encoding.UTF8.GetBytes(string.Join("\n", File.ReadLines(Path.Combine(Paths.Shared, "datasets", "snips2", "train.jsonl")).Take(n)) + "\n");

    [Fact]
    public void JsonlCsvAndTsvRows()
    {
        string dir = Dir();
        var rows = DatasetReader.Read(Path.Combine(Paths.Shared, "datasets", "snips2", "train.jsonl")).Take(40).ToList();
        string Csv(char sep) => $"text{sep}label\n" + string.Join("\n", rows.Select(r => $"\"{r.Text.Replace("\"", "\"\"")}\"{sep}{r.Label}")) + "\n";
        foreach (var (name, bytes) in new[] { ("train.jsonl", SnipsRows(40)), ("train.csv", Encoding.UTF8.GetBytes(Csv(','))), ("train.tsv", Encoding.UTF8.GetBytes(Csv('\t'))) })
        {
            string path = Path.Combine(dir, name);
            Fuzz(path, bytes, () => DatasetReader.Read(path));
        }
    }

    [Fact]
    public void TomlAndJsonConfigs()
    {
        string dir = Dir();
        string toml = Path.Combine(dir, "run.toml"), json = Path.Combine(dir, "run.json"), mt = Path.Combine(dir, "multitask.toml");
        Fuzz(toml, File.ReadAllBytes(Path.Combine(Paths.RepoRoot, "examples", "massive-llrd.toml")), () => ConfigResolver.Resolve("scratch:tiny", toml));
        Fuzz(json, Encoding.UTF8.GetBytes(new PhaseTune.Phases.TrainConfig().ToJson()), () => ConfigResolver.Resolve("scratch:tiny", json));
        // a mutated model path can read as a Hub name: resolved offline against an empty cache, never over the network
        var offline = new PhaseTune.Hub.HubOptions("http://127.0.0.1:9", null, Dir(), Offline: true);
        Fuzz(mt, File.ReadAllBytes(Path.Combine(Paths.RepoRoot, "examples", "multitask-sst5-quora-stsb.toml")), () => MultiTaskConfig.Load(mt, offline));
    }
}

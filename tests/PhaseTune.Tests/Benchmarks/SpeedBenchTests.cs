using System.Text.Json.Nodes;
using PhaseTune.Models;
using PhaseTune.Tests.Cli;
using Xunit;

namespace PhaseTune.Tests.Benchmarks;

public class SpeedBenchTests
{
    [Fact]
    public void LengthsAndBenchCommandsPrintThePeersKeys()
    {
        string dir = Paths.TempDir(), texts = Path.Combine(dir, "t.txt"), lens = Path.Combine(dir, "lengths.txt");
        File.WriteAllLines(texts, ["hello world", "a much longer sentence with several more words in it"]);
        var (code, stdout, err) = CliRunner.Run("lengths", "--data", texts, "--model", Paths.Fixture("tiny-bert"));
        Assert.True(code == 0, err);
        Assert.Equal(["4", "12"], stdout.Trim().Split('\n'));
        File.WriteAllText(lens, stdout);
        foreach (var mode in new[] { "train", "encode" })
        {
            var (c, o, e) = CliRunner.Run("bench", mode, "--config", Path.Combine(Paths.Fixture("tiny-bert"), "config.json"),
                "--lengths", lens, "--batch", "2", "--steps", "3", "--warmup", "1", "--threads", "1");
            Assert.True(c == 0, e);
            var json = JsonNode.Parse(o)!;
            foreach (var key in new[] { "impl", "mode", "threads", "steps", "batch", "seconds", "sentences_per_s", "tokens_per_s",
                         "padded_tokens_per_s", "model_gflop_per_s", "sgemm_gflop_per_s", "rss_mb" })
                Assert.NotNull(json[key]);
            Assert.True(json["sentences_per_s"]!.GetValue<double>() > 0);
            // tokens: each batch is one 4- and one 12-token text padded to 12
            Assert.Equal(16.0 / 24.0, json["tokens_per_s"]!.GetValue<double>() / json["padded_tokens_per_s"]!.GetValue<double>(), 2);
        }
        var (gc, go, ge) = CliRunner.Run("bench", "train", "--config", Path.Combine(Paths.Fixture("tiny-bert"), "config.json"),
            "--lengths", lens, "--batch", "2", "--steps", "2", "--warmup", "1", "--threads", "1", "--group-by-length", "--profile");
        Assert.True(gc == 0, ge);
        var profile = JsonNode.Parse(go)!["profile_ms_per_step"]!.AsObject();
        Assert.Equal(["zero_grad", "forward", "backward", "clip", "optimizer"], profile.Select(kv => kv.Key));
        Assert.True(profile["forward"]!.GetValue<double>() > 0);
        File.WriteAllText(lens, "4\nabc\n");
        var (bc, _, berr) = CliRunner.Run("bench", "train", "--config", Path.Combine(Paths.Fixture("tiny-bert"), "config.json"), "--lengths", lens);
        Assert.NotEqual(0, bc);
        Assert.Contains("lengths.txt:2: 'abc' is not a positive integer", berr);
    }

    [Fact]
    public void TheDaeObjectiveProfilesEncodeDecodeAndProjectionAndCountsTheirFlops()
    {
        string dir = Paths.TempDir(), lens = Path.Combine(dir, "lengths.txt");
        File.WriteAllLines(lens, ["12", "12"]);
        string config = Path.Combine(Paths.Fixture("tiny-bert"), "config.json");
        var runs = new Dictionary<string, JsonNode>();
        foreach (var objective in new[] { "ft", "dae" })
        {
            var (c, o, e) = CliRunner.Run("bench", "train", "--config", config, "--lengths", lens, "--batch", "2", "--steps", "2",
                "--warmup", "1", "--threads", "1", "--profile", "--objective", objective);
            Assert.True(c == 0, e);
            runs[objective] = JsonNode.Parse(o)!;
            Assert.Equal(objective, runs[objective]["objective"]!.GetValue<string>());
        }
        var profile = runs["dae"]["profile_ms_per_step"]!.AsObject();
        Assert.Equal(["zero_grad", "encode", "decode", "project", "backward", "clip", "optimizer"], profile.Select(kv => kv.Key));
        Assert.All(new[] { "encode", "decode", "project" }, k => Assert.True(profile[k]!.GetValue<double>() > 0, k));
        // the timed steps' matmul FLOPs (forward and backward, 4 sentences of 12 tokens): DAE's encoder reads 2 + 4 of
        // them, its decoder 11 (self- and cross-attention), its projection the 10 rows with a target
        var cfg = EncoderConfig.Load(config);
        double h = cfg.HiddenSize, i = cfg.IntermediateSize, v = cfg.VocabSize, l = cfg.NumHiddenLayers;
        double Layer(double t) => l * t * (8 * h * h + 4 * h * i + 4 * t * h);
        double ft = Layer(12), dae = Layer(6) + Layer(11) + l * 11 * 4 * h * h + 10 * (2 * h * h + 2 * h * v);
        double Flop(JsonNode j) => j["model_gflop"]!.GetValue<double>() * 1e9 / 3 / 4;
        Assert.Equal(1.0, Flop(runs["ft"]) / ft, 3);
        Assert.Equal(1.0, Flop(runs["dae"]) / dae, 3);
        var (bc, _, berr) = CliRunner.Run("bench", "train", "--config", config, "--lengths", lens, "--objective", "mlm");
        Assert.NotEqual(0, bc);
        Assert.Contains("--objective: unknown 'mlm' (ft, dae)", berr);
    }

    [Fact]
    public void EncodeThroughTheOnnxExportReportsItsRuntimeFolderAndStartup()
    {
        string dir = Paths.TempDir(), lens = Path.Combine(dir, "lengths.txt");
        File.WriteAllLines(lens, ["4", "12", "7", "30"]);
        string config = Path.Combine(Paths.Fixture("tiny-bert"), "config.json");
        var sizes = new Dictionary<string, double>();
        foreach (var (flags, impl) in new[] { (new[] { "--onnx" }, "phasetune-onnx-float"), (["--onnx", "--quantize", "int8"], "phasetune-onnx-int8"),
                     (["--onnx", "--onnx-unsorted"], "phasetune-onnx-float") })
        {
            var (c, o, e) = CliRunner.Run(["bench", "encode", "--config", config, "--lengths", lens, "--batch", "4", "--steps", "3", "--warmup", "1", "--threads", "1", .. flags]);
            Assert.True(c == 0, e);
            var json = JsonNode.Parse(o)!;
            Assert.Equal(impl, json["impl"]!.GetValue<string>());
            Assert.Equal(!flags.Contains("--onnx-unsorted"), json["sort_by_length"]!.GetValue<bool>());
            Assert.True(json["sentences_per_s"]!.GetValue<double>() > 0 && json["startup_s"]!.GetValue<double>() > 0);
            // the same workload's token counts as the TorchSharp path: 53 real tokens per batch of 4 padded to 30
            Assert.Equal(53.0 / 120.0, json["tokens_per_s"]!.GetValue<double>() / json["padded_tokens_per_s"]!.GetValue<double>(), 2);
            sizes[impl] = json["folder_mb"]!.GetValue<double>();
        }
        Assert.True(sizes["phasetune-onnx-int8"] < sizes["phasetune-onnx-float"]);
        var (bc, _, berr) = CliRunner.Run("bench", "encode", "--config", config, "--lengths", lens, "--quantize", "int8");
        Assert.NotEqual(0, bc);
        Assert.Contains("--quantize and --onnx-unsorted need --onnx", berr);
    }
}

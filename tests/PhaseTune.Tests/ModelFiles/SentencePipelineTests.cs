using System.Text.Json.Nodes;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.MultiTask;
using PhaseTune.Runs;
using PhaseTune.Tests.Cli;
using Xunit;

namespace PhaseTune.Tests.ModelFiles;

/// <summary>A sentence-transformers checkpoint's pooling, Normalize and max_seq_length are every command's defaults,
/// and what PhaseTune saves carries them back.</summary>
public class SentencePipelineTests
{
    static readonly string St = Paths.Fixture("tiny-bert-st");

    [Fact]
    public void TheCheckpointsPipelineIsReadAndSavedBack()
    {
        Assert.Equal(new SentencePipeline(PoolingMode.Mean, true, 16), ModelDirectory.ReadPipeline(St));
        Assert.Equal(new SentencePipeline(null, false, null), ModelDirectory.ReadPipeline(Paths.Fixture("tiny-bert")));
        var loaded = ModelDirectory.Load(St);
        string dir = Path.Combine(Paths.TempDir(), "saved");
        ModelDirectory.Save(loaded.Model, loaded.Tokenizer, dir, new SentencePipeline(PoolingMode.Max, true, 24));
        Assert.Equal(new SentencePipeline(PoolingMode.Max, true, 24), ModelDirectory.ReadPipeline(dir));
        var again = ModelDirectory.Load(dir);
        Assert.Equal((PoolingMode.Max, true, 24), (again.Pooling!.Value, again.Normalize, again.MaxSeqLength!.Value));
    }

    [Fact]
    public void RunsFromTheCheckpointDefaultToItsPipelineAndFlagsOverride()
    {
        var c = ConfigResolver.Resolve(St);
        Assert.Equal(("mean", true, 16), (c.Pooling, c.Normalize, c.MaxLength));
        var flagged = ConfigResolver.Resolve(St, null, ConfigOptions.Run.Single(o => o.Flag == "--pooling").Overrides("cls"));
        Assert.Equal(("cls", true), (flagged.Pooling, flagged.Normalize));
        var scratch = ConfigResolver.Resolve("scratch:tiny");
        Assert.Equal(("cls", false, 128), (scratch.Pooling, scratch.Normalize, scratch.MaxLength));

        string dir = Paths.TempDir(), toml = Path.Combine(dir, "mt.toml");
        string task = $"[[tasks]]\nname = \"sst5\"\ndata = \"{Path.Combine(Paths.Shared, "datasets", "sst5")}\"\n";
        File.WriteAllText(toml, $"model = \"{St}\"\n" + task);
        var mt = MultiTaskConfig.Load(toml);
        Assert.Equal(("mean", true, 16), (mt.Pooling, mt.Normalize, mt.MaxLength));
        File.WriteAllText(toml, $"model = \"{St}\"\npooling = \"cls\"\nmax_length = 40\n" + task);
        mt = MultiTaskConfig.Load(toml);
        Assert.Equal(("cls", true, 40), (mt.Pooling, mt.Normalize, mt.MaxLength));
    }

    [Fact]
    public void TrainingFromTheCheckpointUsesAndSavesItsPipeline()
    {
        string dir = Paths.TempDir();
        var (code, _, err) = CliRunner.Run("train", "--data", Path.Combine(Paths.Shared, "datasets", "snips2"), "--limit", "60", "--model", St,
            "--phases", "ft", "--ft-epochs", "1", "--out", dir, "--quiet");
        Assert.True(code == 0, err);
        var resolved = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "model", "training_config.json")))!;
        Assert.Equal(("mean", true, 16), (resolved["pooling"]!.GetValue<string>(), resolved["normalize"]!.GetValue<bool>(), resolved["max_length"]!.GetValue<int>()));
        Assert.Equal(new SentencePipeline(PoolingMode.Mean, true, 16), ModelDirectory.ReadPipeline(Path.Combine(dir, "model")));
        var classifier = ClassifierDirectory.Load(Path.Combine(dir, "model"));
        Assert.True(classifier.Encoder.Normalize);
        Assert.Equal(16, classifier.MaxLength);
    }
}

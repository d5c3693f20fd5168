using System.Text.Json.Nodes;
using PhaseTune.Phases;
using PhaseTune.Runs;
using Xunit;

namespace PhaseTune.Tests.Runs;

public class ConfigResolverTests
{
    static IEnumerable<ConfigOverride> Flag(string flag, string? value = null) =>
        ConfigOptions.Run.Concat(ConfigOptions.Pretrain).Append(ConfigOptions.Phases).Single(o => o.Flag == flag).Overrides(value);

    static string TempConfig(string name, string text)
    {
        string path = Path.Combine(Paths.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void EveryFlagSetsAnExistingConfigKeyAndNoFlagIsDeclaredTwice()
    {
        var all = ConfigOptions.Run.Concat(ConfigOptions.Pretrain).Append(ConfigOptions.Phases).ToList();
        Assert.Equal(all.Count, all.Select(o => o.Flag).Distinct().Count());
        var json = JsonNode.Parse(new TrainConfig().ToJson())!.AsObject();
        foreach (var path in all.SelectMany(o => o.Paths))
        {
            JsonNode? node = json;
            var keys = path.Split('.');
            foreach (var k in keys[..^1]) node = node?[k];
            Assert.True(node is JsonObject o && o.ContainsKey(keys[^1]), $"'{path}' is not a key of TrainConfig");
        }
    }

    [Fact]
    public void PresetThenFileThenFlagsEachOverrideTheLayerBefore()
    {
        var paper = ConfigResolver.Resolve("some/pretrained/model");                              // Table 5 of the paper
        Assert.Equal(("pretrained", 5e-5, 5e-5, 1e-5, 70, 32), (paper.Preset, paper.Dae.Lr, paper.Cl.Lr, paper.Ft.Lr, paper.Ft.MaxEpochs, paper.BatchSize));
        Assert.Equal((1e-6, 1e-6, 2e-5, 0.0, "linear"), (paper.Dae.Eps, paper.Cl.Eps, paper.Ft.Eps, paper.WeightDecay, paper.Dae.Schedule));
        Assert.Equal(("scratch", 5e-4, 5e-5), (ConfigResolver.Resolve("scratch:tiny").Preset, ConfigResolver.Resolve("scratch:tiny").Mlm.Lr, paper.Mlm.Lr));
        Assert.Equal(1e-3, ConfigResolver.Resolve("scratch:tiny").Ft.Lr);                      // scratch preset
        string file = TempConfig("c.toml", "batch_size = 8\n[ft]\nlr = 5e-4\npatience = 7\n");
        var fromFile = ConfigResolver.Resolve("scratch:tiny", file);
        Assert.Equal((5e-4, 7, 8), (fromFile.Ft.Lr, fromFile.Ft.Patience, fromFile.BatchSize));
        Assert.Equal(1e-4, fromFile.Cl.Lr);                                                    // untouched preset value survives
        var flagged = ConfigResolver.Resolve("scratch:tiny", file, [.. Flag("--lr-ft", "1e-4"), .. Flag("--untie-decoder"), .. Flag("--freeze-encoder")]);
        Assert.Equal((1e-4, 7, false, true), (flagged.Ft.Lr, flagged.Ft.Patience, flagged.Dae.TieDecoder, flagged.Ft.FreezeEncoder));
    }

    [Fact]
    public void APresetCanBeNamedAndPerPhaseOptimiserSettingsAreFlags()
    {
        var named = ConfigResolver.Resolve("scratch:tiny", null, Flag("--preset", "pretrained"));
        Assert.Equal(("pretrained", 1e-5), (named.Preset, named.Ft.Lr));
        string file = TempConfig("p.toml", "preset = \"scratch\"\n");
        Assert.Equal(("scratch", 1e-3), (ConfigResolver.Resolve("/a/pretrained/model", file).Preset, ConfigResolver.Resolve("/a/pretrained/model", file).Ft.Lr));
        Assert.Contains("unknown preset 'warm'", Assert.Throws<ArgumentException>(() => ConfigResolver.Resolve("scratch:tiny", null, Flag("--preset", "warm"))).Message);
        var c = ConfigResolver.Resolve("scratch:tiny", null, [.. Flag("--eps-ft", "2e-5"), .. Flag("--weight-decay-cl", "0.1"), .. Flag("--batch-size-dae", "8"),
            .. Flag("--warmup-dae", "0.25"), .. Flag("--schedule-cl", "cosine")]);
        Assert.Equal((2e-5, 0.1, 8, 0.25, "cosine"), (c.Ft.Eps, c.Cl.WeightDecay!.Value, c.Dae.BatchSize!.Value, c.Dae.WarmupRatio, c.Cl.Schedule));
    }

    [Fact]
    public void AConfigFilesPhasesHoldUnlessPhasesIsGiven()
    {
        string file = TempConfig("c.json", "{\"phases\": [\"supcon\", \"ft\"]}");
        Assert.Equal([PhaseKind.SupCon, PhaseKind.FineTune], ConfigResolver.Resolve("scratch:tiny", file).Phases);
        Assert.Equal([PhaseKind.FineTune], ConfigResolver.Resolve("scratch:tiny", file, Flag("--phases", "ft")).Phases);
        Assert.Equal([PhaseKind.Dae, PhaseKind.Contrastive, PhaseKind.FineTune], ConfigResolver.Resolve("scratch:tiny").Phases);
    }

    [Fact]
    public void OneFlagCanSetSeveralKeys()
    {
        var c = ConfigResolver.Resolve("scratch:tiny", null, [.. Flag("--objective", "dae"), .. Flag("--epochs", "3"), .. Flag("--lr", "0.25")]);
        Assert.Equal([PhaseKind.Dae], c.Phases);
        Assert.Equal((3, 3, 0.25, 0.25), (c.Dae.Epochs, c.Pretrain.Epochs, c.Dae.Lr, c.Pretrain.Lr));
    }

    [Fact]
    public void ErrorsNameTheFlagOrTheConfigKey()
    {
        string file = TempConfig("bad.toml", "[ft]\nmax_epochs = 1\nlearning_rat = 3\n");
        var unknown = Assert.Throws<InvalidDataException>(() => ConfigResolver.Resolve("scratch:tiny", file)).Message;
        Assert.Contains("bad.toml: unknown key 'learning_rat' in [ft] (did you mean 'lr'?)", unknown);
        Assert.DoesNotContain(".NET", unknown);
        file = TempConfig("typo.toml", "bach_size = 3\n");
        Assert.Contains("typo.toml: unknown key 'bach_size' (did you mean 'batch_size'?)", Assert.Throws<InvalidDataException>(() => ConfigResolver.Resolve("scratch:tiny", file)).Message);
        Assert.Contains("--imbalance", Assert.Throws<InvalidDataException>(() => ConfigResolver.Resolve("scratch:tiny", null, Flag("--imbalance", "lots"))).Message);
        Assert.Contains("--phases: unknown phase 'tsdae'", Assert.Throws<InvalidDataException>(() => ConfigResolver.Resolve("scratch:tiny", null, Flag("--phases", "tsdae,ft"))).Message);
        var batch = Assert.Throws<ArgumentException>(() => ConfigResolver.Resolve("scratch:tiny", null, Flag("--batch-size", "0"))).Message;
        Assert.Contains("batch_size must be at least 1 (got 0)", batch);
        Assert.Contains("--batch-size", batch);
        Assert.Contains("max_length must be at least 3 or auto (got -5)", Assert.Throws<ArgumentException>(() => ConfigResolver.Resolve("scratch:tiny", null, Flag("--max-length", "-5"))).Message);
        Assert.Contains("--seed: 'x' is not an integer", Assert.Throws<ArgumentException>(() => Flag("--seed", "x").ToList()).Message);
        Assert.Contains("--lr-dae: 'fast' is not a number", Assert.Throws<ArgumentException>(() => Flag("--lr-dae", "fast").ToList()).Message);
    }

    [Fact]
    public void TheAuthorsCodeExampleFreezesTheEncoderAndDropsTheHeadActivation()
    {
        var c = ConfigResolver.Resolve("scratch:mini", Path.Combine(Paths.RepoRoot, "examples", "authors-code.toml"));
        Assert.Equal((true, "none", "alternate"), (c.Ft.FreezeEncoder, c.Ft.HeadActivation, c.Joint.Mode));
    }
}

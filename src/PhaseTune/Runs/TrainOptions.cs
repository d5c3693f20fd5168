using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Phases;

namespace PhaseTune.Runs;

/// <summary>Everything `phasetune train` takes, for a C# caller of <see cref="PhaseTuner.TrainAsync"/>: the CLI
/// builds one of these from its flags, so a caller's run resolves exactly as the command's.</summary>
public sealed record TrainOptions
{
    /// <summary>A model directory, or scratch:tiny|mini|small|minilm (with <see cref="Vocab"/>).</summary>
    public required string Model { get; init; }
    /// <summary>vocab.txt (or a tokenizer directory) for a scratch: model.</summary>
    public string? Vocab { get; init; }
    public required DataOptions Data { get; init; }
    /// <summary>The run's folder: model/, metrics.json, log.jsonl, and checkpoint/ while it runs.</summary>
    public required string Output { get; init; }
    /// <summary>A TOML or JSON config file (--config); <see cref="Settings"/> override it.</summary>
    public string? ConfigFile { get; init; }
    /// <summary>The config flags as `train` takes them (<see cref="ConfigOptions.Phases"/>, <see cref="ConfigOptions.Run"/>),
    /// each with its text: ["--phases"] = "dae,cl,ft", ["--ft-epochs"] = "2"; a switch such as "--freeze-encoder" with
    /// null or "true" ("false" leaves it off).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
    /// <summary>Discard a checkpoint in <see cref="Output"/> instead of resuming from it (--restart).</summary>
    public bool Restart { get; init; }
    /// <summary>"tensorboard" also writes loss, learning rate and results as TensorBoard scalars (--report-to).</summary>
    public string? ReportTo { get; init; }

    /// <summary>The flags <see cref="Settings"/> may hold, in the order they apply.</summary>
    public static IReadOnlyList<ConfigOption> Flags { get; } = [ConfigOptions.Phases, .. ConfigOptions.Run];

    /// <summary>defaults ← preset for the model ← <see cref="ConfigFile"/> ← <see cref="Settings"/>; a recipe that
    /// ends in fine-tuning.</summary>
    public TrainConfig ResolveConfig()
    {
        var known = Flags.Select(f => f.Flag).ToList();
        foreach (var key in Settings.Keys)
            if (!known.Contains(key)) throw new ArgumentException(PhaseTune.IO.ConfigFile.UnknownKey("settings", "", key, known));
        var overrides = new List<ConfigOverride>();
        foreach (var spec in Flags)
        {
            if (!Settings.TryGetValue(spec.Flag, out var text)) continue;
            if (!spec.IsSwitch) overrides.AddRange(spec.Overrides(text));
            else if (text is null or "true") overrides.AddRange(spec.Overrides());
            else if (text != "false") throw new ArgumentException($"{spec.Flag} is a switch: null, \"true\" or \"false\" (got '{text}')");
        }
        return ConfigResolver.Resolve(Model, ConfigFile, overrides).ValidateClassifierRecipe(ConfigFile ?? "options");
    }

    /// <summary>Refuses an output folder that is, lies inside, or would overwrite anything the run reads.</summary>
    public void CheckOutput() => PathGuard.CheckOutputFolder(("--out", Output), TrainRun.Writes,
        [.. Data.Inputs, ("--model", Model), ("--vocab", Vocab), ("--config", ConfigFile)]);
}

using System.CommandLine;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Phases;
using PhaseTune.Runs;
using PhaseTune.Training;

namespace PhaseTune.Cli.Commands;

/// <summary>The flags of the commands that train (train, ablate, pretrain): data and model, `--config`, and the
/// config flags declared from <see cref="ConfigOptions"/>. Parsing only; resolution is the library's.</summary>
public sealed class RunFlags
{
    public readonly Option<string> Model = new("--model") { Required = true, Description = "model directory, a Hub model org/name[@revision], or scratch:tiny|mini|small|minilm" };
    public readonly Option<string?> Vocab = new("--vocab") { Description = "vocab.txt (or tokenizer directory) for scratch models" };
    public readonly Option<string?> Config = new("--config") { Description = "TOML or JSON config file (flags override it)" };
    public readonly Option<bool> Quiet = new("--quiet") { Description = "no progress output" };
    public readonly Option<string?> ReportTo = new("--report-to") { Description = "tensorboard: also write loss, learning rate and results as TensorBoard scalars to DIR/tensorboard" };
    readonly DataFlags _data;
    readonly List<(ConfigOption Spec, Option Option)> _config = [];

    public RunFlags(Command command, IEnumerable<ConfigOption> configOptions)
    {
        _data = new DataFlags(command, unlabeled: true);
        foreach (var o in new Option[] { Model, Vocab, Config, Quiet, ReportTo })
            command.Options.Add(o);
        foreach (var spec in configOptions)
        {
            Option option = spec.IsSwitch
                ? new Option<bool>(spec.Flag) { Description = spec.Description }
                : new Option<string?>(spec.Flag) { Description = spec.Description, Required = spec.Required };
            _config.Add((spec, option));
            command.Options.Add(option);
        }
    }

    /// <summary>The progress consumer a run reports to: <paramref name="console"/>, and with --report-to tensorboard also a
    /// <see cref="TensorBoardObserver"/> writing to DIR/tensorboard.</summary>
    public ITrainingObserver Observer(ParseResult r, ITrainingObserver console, string outDir) =>
        TensorBoardObserver.For(r.GetValue(ReportTo), outDir, console) ?? console;

    /// <summary>The config flags given, as <see cref="TrainOptions.Settings"/> holds them.</summary>
    public Dictionary<string, string?> Settings(ParseResult r)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (spec, option) in _config)
        {
            if (option is Option<bool> sw) { if (r.GetValue(sw)) settings[spec.Flag] = null; }
            else if (r.GetValue((Option<string?>)option) is string text) settings[spec.Flag] = text;
        }
        return settings;
    }

    /// <summary>defaults ← preset for the model ← --config ← the flags given.</summary>
    public TrainConfig Resolve(ParseResult r)
    {
        var overrides = new List<ConfigOverride>();
        foreach (var (spec, option) in _config)
        {
            if (option is Option<bool> sw) { if (r.GetValue(sw)) overrides.AddRange(spec.Overrides()); }
            else if (r.GetValue((Option<string?>)option) is string text) overrides.AddRange(spec.Overrides(text));
        }
        return ConfigResolver.Resolve(r.GetValue(Model)!, r.GetValue(Config), overrides);
    }

    /// <summary>Refuses an output folder that is, lies inside, or would overwrite anything the command reads.</summary>
    public void CheckOutput(ParseResult r, Option<string> output, IReadOnlyList<string> writes) => PathGuard.CheckOutputFolder((output.Name, r.GetValue(output)!), writes,
        [.. DataOptions(r).Inputs, ("--model", r.GetValue(Model)), ("--vocab", r.GetValue(Vocab)), ("--config", r.GetValue(Config))]);

    public DataOptions DataOptions(ParseResult r) => _data.DataOptions(r);
}

using System.CommandLine;
using PhaseTune.Data;
using PhaseTune.IO;
using PhaseTune.Phases;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>The flags of the commands that train (train, ablate, pretrain): data and model, `--config`, and the
/// config flags declared from <see cref="ConfigOptions"/>. Parsing only; resolution is the library's.</summary>
public sealed class RunFlags
{
    public readonly Option<string?> Data = new("--data") { Description = "directory with train/dev/test files" };
    public readonly Option<string?> Train = new("--train") { Description = "training file (jsonl, csv, tsv, parquet, optionally .gz)" };
    public readonly Option<string?> Dev = new("--dev") { Description = "dev file (default: a stratified 20 % of train)" };
    public readonly Option<string?> Test = new("--test") { Description = "test file" };
    public readonly Option<string> TextColumn = new("--text-column") { DefaultValueFactory = _ => "text", Description = "text column / JSON key" };
    public readonly Option<string> LabelColumn = new("--label-column") { DefaultValueFactory = _ => "label", Description = "label column / JSON key" };
    public readonly Option<int?> Limit = new("--limit") { Description = "use only the first N training examples (quick runs)" };
    public readonly Option<int?> Sample = new("--sample") { Description = "use a seeded, stratified sample of about N training examples" };
    public readonly Option<string[]> Unlabeled = new("--unlabeled") { Description = "files of unlabelled texts for the DAE phase (any data format's text column, or one text per line)", AllowMultipleArgumentsPerToken = true };
    public readonly Option<string> Model = new("--model") { Required = true, Description = "model directory, or scratch:tiny|mini|small|minilm" };
    public readonly Option<string?> Vocab = new("--vocab") { Description = "vocab.txt (or tokenizer directory) for scratch models" };
    public readonly Option<string?> Config = new("--config") { Description = "TOML or JSON config file (flags override it)" };
    public readonly Option<bool> Quiet = new("--quiet") { Description = "no progress output" };
    readonly List<(ConfigOption Spec, Option Option)> _config = [];

    public RunFlags(Command command, IEnumerable<ConfigOption> configOptions)
    {
        foreach (var o in new Option[] { Data, Train, Dev, Test, TextColumn, LabelColumn, Limit, Sample, Unlabeled, Model, Vocab, Config, Quiet })
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

    public DataOptions DataOptions(ParseResult r) => new()
    {
        Dir = r.GetValue(Data), Train = r.GetValue(Train), Dev = r.GetValue(Dev), Test = r.GetValue(Test),
        TextColumn = r.GetValue(TextColumn)!, LabelColumn = r.GetValue(LabelColumn)!, Limit = r.GetValue(Limit), Sample = r.GetValue(Sample),
        Unlabeled = r.GetValue(Unlabeled) ?? [],
    };
}

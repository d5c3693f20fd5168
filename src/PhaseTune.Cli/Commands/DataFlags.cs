using System.CommandLine;
using PhaseTune.Data;

namespace PhaseTune.Cli.Commands;

/// <summary>The flags that say where a command's examples come from (<see cref="Data.DataOptions"/>).</summary>
public sealed class DataFlags
{
    readonly Option<string?> _data = new("--data") { Description = "directory with train/dev/test files" };
    readonly Option<string?> _train = new("--train") { Description = "training file (jsonl, csv, tsv, parquet, optionally .gz)" };
    readonly Option<string?> _dev = new("--dev") { Description = "dev file (default: a stratified 20 % of train)" };
    readonly Option<string?> _test = new("--test") { Description = "test file" };
    readonly Option<string> _textColumn = new("--text-column") { DefaultValueFactory = _ => "text", Description = "text column / JSON key" };
    readonly Option<string> _labelColumn = new("--label-column") { DefaultValueFactory = _ => "label", Description = "label column / JSON key" };
    readonly Option<int?> _limit = new("--limit") { Description = "use only the first N training examples (quick runs)" };
    readonly Option<int?> _sample = new("--sample") { Description = "use a seeded, stratified sample of about N training examples" };
    readonly Option<string[]>? _unlabeled;

    /// <param name="unlabeled">whether the command takes `--unlabeled` (the phases that learn from text alone)</param>
    public DataFlags(Command command, bool unlabeled)
    {
        if (unlabeled) _unlabeled = new("--unlabeled") { Description = "files of unlabelled texts for the DAE and MLM phases (any data format's text column, or one text per line)", AllowMultipleArgumentsPerToken = true };
        foreach (var o in new Option?[] { _data, _train, _dev, _test, _textColumn, _labelColumn, _limit, _sample, _unlabeled })
            if (o is not null) command.Options.Add(o);
    }

    public DataOptions DataOptions(ParseResult r) => new()
    {
        Dir = r.GetValue(_data), Train = r.GetValue(_train), Dev = r.GetValue(_dev), Test = r.GetValue(_test),
        TextColumn = r.GetValue(_textColumn)!, LabelColumn = r.GetValue(_labelColumn)!, Limit = r.GetValue(_limit), Sample = r.GetValue(_sample),
        Unlabeled = _unlabeled is null ? [] : r.GetValue(_unlabeled) ?? [],
    };
}

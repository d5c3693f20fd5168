using System.CommandLine;
using PhaseTune.IO;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune reproduce cs224n --out DIR [--scale smoke|small|full] [--model M] [--dry-run]`: every row of
/// the CS224N multi-task report's Table 3 (examples/cs224n), then the table with the report's numbers beside ours.</summary>
public static class ReproduceCommand
{
    public static Command Create()
    {
        var table = new Option<string>("--table") { Description = "the rows and the report's numbers", DefaultValueFactory = _ => "examples/cs224n/table3.toml" };
        var outDir = new Option<string?>("--out") { Description = "output directory: one folder per row, table.md, table.json" };
        var scale = new Option<string>("--scale") { Description = "smoke | small | full", DefaultValueFactory = _ => "small" };
        var model = new Option<string?>("--model") { Description = "the encoder (default: smoke scratch:tiny, small ../shared/models/bert-mini-standin, full google-bert/bert-base-uncased)" };
        var vocab = new Option<string?>("--vocab") { Description = "vocabulary for a scratch: encoder" };
        var lr = new Option<double?>("--lr") { Description = "one learning rate for every row instead of the report's 1e-5 (a scratch encoder needs more)" };
        var nli = new Option<string?>("--nli") { Description = "NLI triplets (text, positive, negative) for the SimCSE row; default: triplets from the Quora / STS pairs" };
        var dryRun = new Option<bool>("--dry-run") { Description = "list the rows and their commands, run nothing" };
        var quiet = new Option<bool>("--quiet");
        var cs224n = new Command("cs224n", "Table 3 of the CS224N multi-task report (SST-5 / Quora / STS-B), row by row.")
            { table, outDir, scale, model, vocab, lr, nli, dryRun, quiet };
        cs224n.SetAction(r => CliErrors.Run(() =>
        {
            var s = ReproductionScale.Parse(r.GetValue(scale)!);
            string tablePath = r.GetValue(table)!, dir = r.GetValue(outDir) ?? Path.Combine("runs", "cs224n-" + s.Name);
            var t = ReproductionTable.Load(tablePath);
            var steps = MultiTaskReproduction.Plan(tablePath, t, s, dir, r.GetValue(model), r.GetValue(vocab), r.GetValue(lr), r.GetValue(nli));
            if (r.GetValue(dryRun))
            {
                foreach (var step in steps)
                    Console.WriteLine($"row {step.Row.Exp,2}  {step.Row.Method}\n    {step.Command}");
                return 0;
            }
            PathGuard.CheckOutputFolder(("--out", dir), MultiTaskReproduction.Writes(t), [("--table", tablePath), ("--model", steps[0].Config.Model),
                ("--vocab", steps[0].Config.Vocab), ("--nli", r.GetValue(nli)), .. steps[0].Config.Tasks.Select(x => ($"task {x.Name} data", (string?)x.Data))]);
            Console.Write(ConsoleProgress.Run(r.GetValue(quiet), obs => MultiTaskReproduction.Run(t, steps, s, dir, obs)));
            return 0;
        }));
        return new Command("reproduce", "Run every row of a report's results table.") { cs224n };
    }
}

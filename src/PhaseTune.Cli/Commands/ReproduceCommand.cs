using System.CommandLine;
using PhaseTune.IO;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune reproduce cs224n|massive [--scale smoke|small|full] [--out DIR] [--model M] [--dry-run]`: every
/// row of a student report's results table (the CS224N multi-task report's Table 3, the MASSIVE report's Tables 7–8),
/// then the table with the report's numbers beside ours.</summary>
public static class ReproduceCommand
{
    public static Command Create() => new("reproduce", "Reproduce a report's results table row by row.") { Cs224n(), Massive() };

    static Command Cs224n()
    {
        var table = new Option<string>("--table") { Description = "the rows and the report's numbers", DefaultValueFactory = _ => "examples/cs224n/table3.toml" };
        var outDir = new Option<string?>("--out") { Description = "output directory: one folder per row, table.md, table.json (default runs/cs224n-SCALE)" };
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
            var s = Cs224nScale.Parse(r.GetValue(scale)!);
            string tablePath = r.GetValue(table)!, dir = r.GetValue(outDir) ?? Path.Combine("runs", "cs224n-" + s.Name);
            var t = Cs224nTable.Load(tablePath);
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
        return cs224n;
    }

    static Command Massive()
    {
        var scale = new Option<string>("--scale") { DefaultValueFactory = _ => "small", Description = "smoke (seconds per row, tiny slices) | small (about an hour on 2 cores) | full (the report's sizes)" };
        var outDir = new Option<string?>("--out") { Description = "output directory: one folder per row, results.md, results.json (default runs/massive-SCALE)" };
        var data = new Option<string>("--data") { DefaultValueFactory = _ => "../shared/datasets/massive_en", Description = "the MASSIVE folder (train, dev, test)" };
        var examples = new Option<string>("--examples") { DefaultValueFactory = _ => "examples/massive", Description = "the folder of the row configs" };
        var model = new Option<string?>("--model") { Description = "the encoder (default: scratch:tiny for smoke, ../shared/models/bert-mini-standin for small, google-bert/bert-base-uncased for full)" };
        var vocab = new Option<string?>("--vocab") { Description = "vocab.txt for a scratch: model (default ../shared/models/bert-base-uncased/vocab.txt)" };
        var threads = new Option<int>("--threads") { Description = "torch CPU threads (default: torch's)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "list the rows and their train commands; run nothing" };
        var quiet = new Option<bool>("--quiet") { Description = "no progress output" };
        var cmd = new Command("massive", "Table 7 (and 8) of the MASSIVE report (../shared/papers/003_…): every row, with the report's numbers beside ours.")
            { scale, outDir, data, examples, model, vocab, threads, dryRun, quiet };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var s = MassiveScale.Parse(r.GetValue(scale)!);
            string dir = r.GetValue(outDir) ?? Path.Combine("runs", "massive-" + s.Name), dataDir = r.GetValue(data)!;
            string m = r.GetValue(model) ?? MassiveReproduction.DefaultModel(s, "../shared");
            string? v = r.GetValue(vocab) ?? (m.StartsWith("scratch:", StringComparison.Ordinal) ? "../shared/models/bert-base-uncased/vocab.txt" : null);
            var plan = MassiveReproduction.Plan(dataDir, r.GetValue(examples)!, s, dir, r.GetValue(threads));
            if (r.GetValue(dryRun))
            {
                if (s.Slices) Console.WriteLine($"# data: seeded stratified slices of {dataDir} written to {Path.Combine(dir, "data")} (train {s.Train?.ToString() ?? "all"}, dev {s.Dev?.ToString() ?? "all"}, test {s.Test?.ToString() ?? "all"})");
                foreach (var step in plan) Console.WriteLine($"# row {step.Row.Index}: {step.Row.Name}\n{step.Command(m, v)}");
                return 0;
            }
            PathGuard.CheckOutputFolder(("--out", dir), [.. plan.Select(p => Path.GetFileName(p.Out)), "data", "results.md", "results.json"],
                [("--data", dataDir), ("--examples", r.GetValue(examples)), ("--model", m), ("--vocab", v)]);
            ConsoleProgress.Run(r.GetValue(quiet), obs => MassiveReproduction.Run(dataDir, r.GetValue(examples)!, m, v, s, dir, obs, r.GetValue(threads)));
            Console.Write(File.ReadAllText(Path.Combine(dir, "results.md")));
            return 0;
        }));
        return cmd;
    }
}

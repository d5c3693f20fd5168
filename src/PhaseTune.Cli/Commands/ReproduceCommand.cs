using System.CommandLine;
using PhaseTune.IO;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune reproduce massive`: a report's results table, one `train` run per row.</summary>
public static class ReproduceCommand
{
    public static Command Create() => new("reproduce", "Reproduce a report's results table row by row.") { Massive() };

    static Command Massive()
    {
        var scale = new Option<string>("--scale") { DefaultValueFactory = _ => "smoke", Description = "smoke (seconds per row, tiny slices) | small (about an hour on 2 cores) | full (the report's sizes)" };
        var outDir = new Option<string>("--out") { Required = true, Description = "output directory: one folder per row, results.md, results.json" };
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
            var s = ReproductionScale.Parse(r.GetValue(scale)!);
            string dir = r.GetValue(outDir)!, dataDir = r.GetValue(data)!;
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

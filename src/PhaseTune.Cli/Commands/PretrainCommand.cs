using System.CommandLine;
using PhaseTune.Phases;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune pretrain`: adapt an encoder with one unsupervised or contrastive objective and save it
/// (HF layout with pooling) for `train --model DIR/model` or `embed`.</summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Required = true, Description = "output directory" };
        var cmd = new Command("pretrain", "Train sentence embeddings with DAE, SimCSE, MNRL, SupCon or SimCLR.") { outDir };
        var flags = new RunFlags(cmd, [.. ConfigOptions.Run, .. ConfigOptions.Pretrain]);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            flags.CheckOutput(r, outDir, PretrainRun.Writes);
            var config = flags.Resolve(r);
            var objective = PretrainRun.Objective(config);
            var options = flags.DataOptions(r);
            var data = objective.NeedsLabels() ? options.Load(config.Seed, config.LabelLevels) : options.LoadTexts();
            string dir = r.GetValue(outDir)!;
            var took = ConsoleProgress.Run(r.GetValue(flags.Quiet), console =>
                PretrainRun.Run(r.GetValue(flags.Model)!, r.GetValue(flags.Vocab), data, config, dir, flags.Observer(r, console, dir)));
            Console.WriteLine($"{objective.Name()}: {data.Train.Count} examples in {took.TotalSeconds:F1}s; wrote {Path.Combine(dir, "model")} and {Path.Combine(dir, "log.jsonl")}");
            return 0;
        }));
        return cmd;
    }
}

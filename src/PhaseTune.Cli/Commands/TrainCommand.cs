using System.CommandLine;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune train`: data + model + phases → DIR/model, DIR/metrics.json, DIR/log.jsonl.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Required = true, Description = "output directory" };
        var restart = new Option<bool>("--restart") { Description = "discard a checkpoint in --out instead of resuming" };
        var cmd = new Command("train", "Train a classifier with the 3-Phase method or a variant.") { outDir, restart };
        var flags = new RunFlags(cmd, [ConfigOptions.Phases, .. ConfigOptions.Run]);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            flags.CheckOutput(r, outDir, TrainRun.Writes);
            var config = flags.Resolve(r).ValidateClassifierRecipe(r.GetValue(flags.Config) ?? "options");
            var data = flags.DataOptions(r).Load(config.Seed, config.LabelLevels);
            string dir = r.GetValue(outDir)!;
            var result = ConsoleProgress.Run(r.GetValue(flags.Quiet), console =>
            {
                var (obs, board) = flags.Observer(r, console, dir);
                obs.Message($"train {data.Train.Count}, dev {data.Dev.Count}{(data.DevWasSplit ? " (20 % of train)" : "")}, test {data.Test?.Count ?? 0}, {data.Labels.Count} labels; phases {Phases.PhaseKinds.Names(config.Phases)}");
                var run = TrainRun.Run(r.GetValue(flags.Model)!, r.GetValue(flags.Vocab), data, config, dir, obs, r.GetValue(restart));
                if (board is not null) Reports.TensorBoardSummary.Write(board, dir);
                return run;
            });
            var m = result.Test ?? result.Dev;
            Console.WriteLine($"{(result.Test is null ? "dev" : "test")}: accuracy {m.Accuracy:F4}  macro_f1 {m.MacroF1:F4}  " +
                $"macro_precision {m.MacroPrecision:F4}  macro_recall {m.MacroRecall:F4}  (n={m.Count})");
            Console.WriteLine("phase seconds: " + string.Join(", ", result.PhaseSeconds.Select(kv => $"{kv.Key} {kv.Value:F1}")));
            if (result.ClusterQuality.Any(q => q.Quality is not null))
                Console.WriteLine("dev silhouette (cosine, by label): " + string.Join(" → ", result.ClusterQuality.Select(q => $"{q.Phase} {q.Quality?.Silhouette:F3}")));
            Console.WriteLine($"wrote {Path.Combine(dir, "model")}, {Path.Combine(dir, "metrics.json")}, {Path.Combine(dir, "log.jsonl")}");
            return 0;
        }));
        return cmd;
    }
}

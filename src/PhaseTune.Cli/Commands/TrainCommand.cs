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
            string dir = r.GetValue(outDir)!;
            var options = new TrainOptions
            {
                Model = r.GetValue(flags.Model)!, Vocab = r.GetValue(flags.Vocab), Data = flags.DataOptions(r), Output = dir,
                ConfigFile = r.GetValue(flags.Config), Settings = flags.Settings(r), Restart = r.GetValue(restart), ReportTo = r.GetValue(flags.ReportTo),
            };
            // the first Ctrl+C stops at the next step with a checkpoint to resume from; a second one kills
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = !cancel.IsCancellationRequested; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            TrainResult result;
            try
            {
                result = ConsoleProgress.Run(r.GetValue(flags.Quiet), (progress, logger) =>
                    new PhaseTuner(logger).TrainAsync(options, progress, cancel.Token).GetAwaiter().GetResult());
            }
            finally { Console.CancelKeyPress -= onCancel; }
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

using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune baseline`: TF-IDF + logistic regression on the same data and metrics as `train`; prints the
/// metrics JSON, and with --out writes DIR/metrics.json and DIR/model.</summary>
public static class BaselineCommand
{
    public static Command Create()
    {
        var outDir = new Option<string?>("--out") { Description = "output directory (metrics.json, model/tfidf.zip); none: print only" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1, Description = "seed of the dev split (when there is no dev file) and of --sample" };
        var labelLevels = new Option<string?>("--label-levels") { Description = "separator of hierarchical labels, e.g. /" };
        var cmd = new Command("baseline", "Train and score the classic baseline: word 1-2-gram + char 2-5-gram TF-IDF and logistic regression.")
            { outDir, seed, labelLevels };
        var data = new DataFlags(cmd, unlabeled: false);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var options = data.DataOptions(r);
            string? dir = r.GetValue(outDir);
            if (dir is not null) PathGuard.CheckOutputFolder(("--out", dir), BaselineRun.Writes, [.. options.Inputs]);
            var splits = options.Load(r.GetValue(seed), r.GetValue(labelLevels));
            var metrics = BaselineRun.Run(splits, dir, r.GetValue(seed));
            Console.WriteLine(metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return cmd;
    }
}

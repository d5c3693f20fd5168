using System.CommandLine;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune ablate`: variants × seeds → DIR/results.json and DIR/results.md.</summary>
public static class AblateCommand
{
    public static Command Create()
    {
        var variants = new Option<string>("--variants") { DefaultValueFactory = _ => string.Join(",", AblationRun.Variants.Keys),
            Description = $"{string.Join(",", AblationRun.Variants.Keys)}, and {BaselineRun.Variant} (the TF-IDF baseline)" };
        var seeds = new Option<string>("--seeds") { DefaultValueFactory = _ => "1,2,3", Description = "comma-separated seeds" };
        var outDir = new Option<string>("--out") { Required = true, Description = "output directory" };
        var cmd = new Command("ablate", "Run the paper's ablation: several variants over several seeds.") { variants, seeds, outDir };
        var flags = new RunFlags(cmd, ConfigOptions.Run);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            flags.CheckOutput(r, outDir, AblationRun.Writes);
            if (r.GetValue(flags.ReportTo) is not (null or "none"))
                throw new ArgumentException("--report-to: ablate runs many models; each variant's log.jsonl and plots/ are in its own folder (train one variant to watch it in TensorBoard)");
            var config = flags.Resolve(r);
            var data = flags.DataOptions(r).Load(config.Seed, config.LabelLevels);
            var seedList = r.GetValue(seeds)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.TryParse(s, out var n) ? n : throw new ArgumentException($"--seeds: '{s}' is not an integer")).ToList();
            var variantList = r.GetValue(variants)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
            var report = ConsoleProgress.Run(r.GetValue(flags.Quiet), obs =>
                AblationRun.Run(r.GetValue(flags.Model)!, r.GetValue(flags.Vocab), data, config, variantList, seedList, r.GetValue(outDir)!, obs));
            Console.WriteLine(AblationRun.Markdown(report));
            return 0;
        }));
        return cmd;
    }
}

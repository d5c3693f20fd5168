using System.CommandLine;
using PhaseTune.ModelFiles;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune ablate`: variants × seeds → DIR/results.json and DIR/results.md.</summary>
public static class AblateCommand
{
    public static Command Create()
    {
        var o = new TrainCommand.RunOptions();
        var variants = new Option<string>("--variants") { DefaultValueFactory = _ => "3phase,joint,ft,dae+ft,cl+ft,noimb,extraimb",
            Description = string.Join(",", AblationRun.Variants.Keys) };
        var seeds = new Option<string>("--seeds") { DefaultValueFactory = _ => "1,2,3", Description = "comma-separated seeds" };
        var outDir = new Option<string>("--out") { Required = true, Description = "output directory" };
        var cmd = new Command("ablate", "Run the paper's ablation: several variants over several seeds.") { variants, seeds, outDir };
        foreach (var opt in o.All) cmd.Options.Add(opt);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var config = o.Resolve(r, null);
            var data = o.LoadData(r, config);
            var seedList = r.GetValue(seeds)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.TryParse(s, out var n) ? n : throw new ArgumentException($"--seeds: '{s}' is not an integer")).ToList();
            var variantList = r.GetValue(variants)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
            string model = r.GetValue(o.Model)!, vocab = r.GetValue(o.Vocab) ?? "";
            var report = ConsoleProgress.Run(r.GetValue(o.Quiet), obs => AblationRun.Run(() =>
            {
                var (m, tok, _) = ModelSource.Resolve(model, vocab.Length == 0 ? null : vocab);
                return (m, tok);
            }, data, config, variantList, seedList, r.GetValue(outDir)!, obs));
            Console.WriteLine(AblationRun.Markdown(report));
            return 0;
        }));
        return cmd;
    }
}

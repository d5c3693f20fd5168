using System.CommandLine;
using PhaseTune.IO;
using PhaseTune.MultiTask;
using PhaseTune.Runs;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune multitask --config FILE --out DIR [--max-steps N] [--limit-per-task N]` and overrides of the
/// file's model, vocab, epochs, max_length, lr (encoder and heads) and pretrain_data.</summary>
public static class MultiTaskCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Required = true, Description = "TOML or JSON multi-task configuration" };
        var outDir = new Option<string>("--out") { Required = true, Description = "output directory" };
        var maxSteps = new Option<int?>("--max-steps") { Description = "cap training steps per epoch (quick checks)" };
        var limit = new Option<int?>("--limit-per-task") { Description = "use at most N examples of each split of each task" };
        var quiet = new Option<bool>("--quiet");
        var model = new Option<string?>("--model") { Description = "replaces the config's model" };
        var vocab = new Option<string?>("--vocab") { Description = "replaces the config's vocab" };
        var epochs = new Option<int?>("--epochs") { Description = "replaces the config's epochs" };
        var maxLength = new Option<int?>("--max-length") { Description = "replaces the config's max_length" };
        var lr = new Option<double?>("--lr") { Description = "replaces the config's lr and lr_head" };
        var pretrainData = new Option<string?>("--pretrain-data") { Description = "replaces the config's pretrain_data (e.g. NLI triplets: text, positive, negative)" };
        var precision = new Option<string?>("--precision") { Description = "replaces the config's precision: fp32|bf16|auto (default auto)" };
        var cmd = new Command("multitask", "Train one encoder on several tasks (SST-5, Quora, STS-B, ...).")
            { config, outDir, maxSteps, limit, quiet, model, vocab, epochs, maxLength, lr, pretrainData, precision };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var c = MultiTaskConfig.Load(r.GetValue(config)!).Override(r.GetValue(model), r.GetValue(vocab), r.GetValue(epochs), r.GetValue(maxLength),
                r.GetValue(lr), r.GetValue(pretrainData), r.GetValue(precision));
            PathGuard.CheckOutputFolder(("--out", r.GetValue(outDir)!), MultiTaskRun.Writes, [("--config", r.GetValue(config)), ("model", c.Model), ("vocab", c.Vocab), ("pretrain_data", c.PretrainData),
                .. c.Tasks.Select(t => ($"task {t.Name} data", (string?)t.Data))]);
            if (r.GetValue(maxSteps) is < 1) throw new ArgumentException("--max-steps must be positive");
            if (r.GetValue(limit) is < 2) throw new ArgumentException("--limit-per-task must be at least 2");
            var metrics = ConsoleProgress.Run(r.GetValue(quiet), obs => MultiTaskRun.Run(c, r.GetValue(outDir)!, obs, r.GetValue(maxSteps), r.GetValue(limit)));
            foreach (var t in c.Tasks)
                Console.WriteLine($"{t.Name}: test {t.Metric} {metrics["test"]?[t.Name]?["score"]?.GetValue<double>():F4}, dev {t.Metric} {metrics["dev"]![t.Name]!["score"]!.GetValue<double>():F4}");
            Console.WriteLine($"mean: test {metrics["test"]!["mean"]!.GetValue<double>():F4}, dev {metrics["dev"]!["mean"]!.GetValue<double>():F4}");
            return 0;
        }));
        return cmd;
    }
}

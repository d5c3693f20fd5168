using System.CommandLine;
using PhaseTune.Reports;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune report RUN_DIR`: writes a finished train run's model card again from its files.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "a finished train run's folder (metrics.json, model/)" };
        var cmd = new Command("report", "Write a finished run's plots (plots/) and model card (model/README.md) again from its files, without training.") { run };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            foreach (var file in RunReport.Write(r.GetValue(run)!)) Console.WriteLine($"wrote {file}");
            return 0;
        }));
        return cmd;
    }
}

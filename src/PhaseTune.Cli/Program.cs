using System.CommandLine;
using PhaseTune.Cli.Commands;
using PhaseTune.Hub;

// every --model that names a Hub model (org/name[@revision]) downloads with a progress bar on stderr
ModelLocator.Defaults = HubOptions.FromEnvironment() with { Progress = new DownloadBar() };

var root = new RootCommand("PhaseTune: fine-tune HuggingFace encoders for text classification (3-Phase method).")
{
    EmbedCommand.Create(),
    FillMaskCommand.Create(),
    TrainCommand.Create(),
    EvalCommand.CreateEval(),
    EvalCommand.CreatePredict(),
    AblateCommand.Create(),
    BaselineCommand.Create(),
    ExportCommand.Create(),
    ReportCommand.Create(),
    PretrainCommand.Create(),
    MultiTaskCommand.Create(),
    ReproduceCommand.Create(),
    BenchCommand.Create(),
    BenchCommand.CreateLengths(),
};
return root.Parse(args).Invoke();

using System.CommandLine;
using PhaseTune.Cli.Commands;

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
    BenchCommand.Create(),
    BenchCommand.CreateLengths(),
};
return root.Parse(args).Invoke();

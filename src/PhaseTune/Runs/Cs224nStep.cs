using PhaseTune.MultiTask;

namespace PhaseTune.Runs;

/// <summary>One row of a reproduction as it will run: the scaled config, its output folder and the
/// `phasetune multitask` command that runs it alone.</summary>
public sealed record Cs224nStep(Cs224nRow Row, MultiTaskConfig Config, string Folder, string Command);

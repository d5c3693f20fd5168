namespace PhaseTune.Phases;

/// <summary>Every kind of training phase PhaseTune runs. Their names in configs, on the command line, in log.jsonl
/// and metrics.json come from <see cref="PhaseKinds"/>, the one place that spells them.</summary>
public enum PhaseKind
{
    Dae, Contrastive, Joint, FineTune, Mlm,
    SimCse, SupervisedSimCse, Mnrl, SupCon, SimClr,
    MultiTask,
}

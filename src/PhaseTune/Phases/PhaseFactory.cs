using PhaseTune.Data;
using PhaseTune.Models;
using PhaseTune.Text;
using PhaseTune.Training;

namespace PhaseTune.Phases;

/// <summary>The one place that turns a <see cref="PhaseKind"/> into its phase. A new phase: a class in this folder,
/// its config record on <see cref="TrainConfig"/>, a row in <see cref="PhaseKinds"/> and a case here.</summary>
public static class PhaseFactory
{
    public static TrainingPhase Create(PhaseKind kind, SentenceEncoder encoder, ITokenizer tok, DataSplits data, TrainConfig c) => kind switch
    {
        PhaseKind.Dae => new DaePhase(encoder, tok, data.TrainingTexts(), c, c.SelectBest ? data.Dev.Select(e => e.Text).ToList() : null),
        PhaseKind.Contrastive => new ContrastivePhase(encoder, tok, data.Train, data.Labels, c, c.SelectBest ? data.Dev : null),
        PhaseKind.Joint => new JointPhase(encoder, tok, data.Train, data.TrainingTexts(), data.Labels, c),
        PhaseKind.Mlm => new MlmPhase(encoder, tok, data.TrainingTexts(), c, c.SelectBest ? data.Dev.Select(e => e.Text).ToList() : null),
        PhaseKind.FineTune => new FineTunePhase(encoder, tok, data.Train, data.Dev, data.Labels, c),
        PhaseKind.SimCse => new SimCsePhase(encoder, tok, data.Train, c),
        PhaseKind.SupervisedSimCse => new SupervisedSimCsePhase(encoder, tok, data.Train, c),
        PhaseKind.Mnrl => new MnrlPhase(encoder, tok, data.Train, c),
        PhaseKind.SupCon => new SupConPhase(encoder, tok, data.Train, c),
        PhaseKind.SimClr => new SimClrPhase(encoder, tok, data.Train, c),
        _ => throw new ArgumentException($"phase '{kind.Name()}' is not built from a TrainConfig (it has its own run)"),
    };

    /// <summary>A phase that finished before a kill left only weights, which the checkpoint carries; modules it added
    /// to the encoder (the contrastive projection) are added again so that those weights have a place to go.</summary>
    public static void RestoreAddedModules(PhaseKind kind, SentenceEncoder encoder, TrainConfig c)
    {
        if (kind is PhaseKind.Contrastive or PhaseKind.Joint && c.Cl.Projection == "linear") encoder.AddProjection();
    }
}

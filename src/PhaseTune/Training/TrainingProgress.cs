namespace PhaseTune.Training;

/// <summary>One progress report of a run: a phase starting (<see cref="Loss"/> null), an optimiser step, or a phase
/// finishing (<see cref="Elapsed"/> set). Reports come in order from the training thread; within a phase
/// <see cref="Step"/> never decreases (a resumed phase starts at the step its checkpoint holds).</summary>
/// <param name="Phase">the phase's name: mlm, dae, cl, joint, ft, or a pre-training objective</param>
/// <param name="Epoch">1-based epoch of the step; 0 in a phase-start report</param>
/// <param name="Step">optimiser steps done in this phase</param>
/// <param name="TotalSteps">optimiser steps the phase's schedule spans (early stopping may end it sooner)</param>
public sealed record TrainingProgress(string Phase, int Epoch, long Step, long TotalSteps, double? Loss = null,
    double? LearningRate = null, TimeSpan? Elapsed = null)
{
    /// <summary>Whether the phase has finished (this is its last report).</summary>
    public bool PhaseFinished => Elapsed is not null;

    /// <summary>The phase's done fraction, 0 to 1.</summary>
    public double Fraction => PhaseFinished ? 1 : TotalSteps <= 0 ? 0 : Math.Min(1, (double)Step / TotalSteps);
}

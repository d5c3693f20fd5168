namespace PhaseTune.Training;

/// <summary>How the <see cref="Trainer"/> steps: gradient clipping (0 = off), the log.jsonl cadence and the
/// checkpoint cadence in optimiser steps (0 = only at the end of each epoch).</summary>
public sealed record TrainerOptions(double MaxGradNorm = 1.0, int LogEvery = 10, int CheckpointEvery = 500);

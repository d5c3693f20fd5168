namespace PhaseTune.Training.Optimization;

/// <summary>Learning-rate multipliers by optimiser step, as HF's schedules define them:
/// linear warmup, then linear decay to 0 ("linear"), cosine decay to <c>MinRatio</c> ("cosine"), or flat ("constant").</summary>
public sealed record LrSchedule(string Kind, int WarmupSteps, int TotalSteps, double MinRatio = 0)
{
    public static LrSchedule Create(string kind, double warmupRatio, int totalSteps, double minRatio = 0)
    {
        if (kind is not ("linear" or "cosine" or "constant"))
            throw new ArgumentException($"unknown schedule '{kind}' (linear, cosine, constant)");
        if (warmupRatio is < 0 or > 1) throw new ArgumentException($"warmup ratio must be in [0, 1], got {warmupRatio}");
        return new LrSchedule(kind, (int)Math.Ceiling(totalSteps * warmupRatio), Math.Max(1, totalSteps), minRatio);
    }

    /// <param name="step">optimiser steps taken so far (0 before the first)</param>
    public double Factor(long step)
    {
        if (step < WarmupSteps) return (double)step / Math.Max(1, WarmupSteps);
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return Kind switch
        {
            "linear" => Math.Max(0, 1 - progress),
            "cosine" => MinRatio + (1 - MinRatio) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress))),
            _ => 1,
        };
    }

    public void Apply(Optimizer opt)
    {
        double f = Factor(opt.StepCount);
        foreach (var g in opt.Groups) g.Lr = g.BaseLr * f;
    }
}

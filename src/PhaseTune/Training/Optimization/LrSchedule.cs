namespace PhaseTune.Training.Optimization;

/// <summary>Learning-rate multipliers by optimiser step, as HF's schedules define them:
/// linear warmup, then linear decay to 0 ("linear"), cosine decay to <c>MinRatio</c> ("cosine"), or flat ("constant").
/// A cosine with <see cref="TMaxEpochs"/> is PyTorch's CosineAnnealingLR stepped once per epoch instead:
/// lr = η_min + (lr₀ − η_min)·½(1 + cos(π·epoch/T_max)), constant within an epoch and rising again after T_max.</summary>
public sealed record LrSchedule(string Kind, int WarmupSteps, int TotalSteps, double MinRatio = 0)
{
    /// <summary>The cosine's floor as a learning rate, the same for every group (PyTorch's eta_min).</summary>
    public double EtaMin { get; init; }
    /// <summary>The cosine's half period in epochs; null decays once over the whole run, per step.</summary>
    public double? TMaxEpochs { get; init; }
    public int StepsPerEpoch { get; init; } = 1;

    public static LrSchedule Create(string kind, double warmupRatio, int totalSteps, double minRatio = 0,
        double etaMin = 0, double? tMaxEpochs = null, int stepsPerEpoch = 1)
    {
        if (kind is not ("linear" or "cosine" or "constant"))
            throw new ArgumentException($"unknown schedule '{kind}' (linear, cosine, constant)");
        if (warmupRatio is < 0 or > 1) throw new ArgumentException($"warmup ratio must be in [0, 1], got {warmupRatio}");
        if (kind != "cosine" && (etaMin != 0 || tMaxEpochs is not null))
            throw new ArgumentException($"eta_min and t_max belong to the cosine schedule, not '{kind}'");
        if (tMaxEpochs is <= 0) throw new ArgumentException($"t_max must be positive, got {tMaxEpochs}");
        if (etaMin < 0) throw new ArgumentException($"eta_min must not be negative, got {etaMin}");
        return new LrSchedule(kind, (int)Math.Ceiling(totalSteps * warmupRatio), Math.Max(1, totalSteps), minRatio)
        {
            EtaMin = etaMin, TMaxEpochs = tMaxEpochs, StepsPerEpoch = Math.Max(1, stepsPerEpoch),
        };
    }

    /// <param name="step">optimiser steps taken so far (0 before the first)</param>
    public double Factor(long step)
    {
        if (step < WarmupSteps) return (double)step / Math.Max(1, WarmupSteps);
        if (Kind == "cosine" && TMaxEpochs is double tMax)
            return MinRatio + (1 - MinRatio) * 0.5 * (1 + Math.Cos(Math.PI * (step / StepsPerEpoch) / tMax));
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return Kind switch
        {
            "linear" => Math.Max(0, 1 - progress),
            "cosine" => MinRatio + (1 - MinRatio) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress))),
            _ => 1,
        };
    }

    /// <summary>The learning rate of a group whose peak is <paramref name="baseLr"/> at <paramref name="step"/>.</summary>
    public double Lr(double baseLr, long step)
    {
        double f = Factor(step);
        return Kind == "cosine" && step >= WarmupSteps ? EtaMin + (baseLr - EtaMin) * f : baseLr * f;
    }

    public void Apply(Optimizer opt)
    {
        foreach (var g in opt.Groups) g.Lr = Lr(g.BaseLr, opt.StepCount);
    }
}

namespace PhaseTune.Phases;

/// <summary>Embedding pre-training before a classifier (SimCSE, MNRL, SupCon, SimCLR). Without a temperature each
/// objective uses its paper's default (SimCSE 0.05, SupCon 0.07, SimCLR 0.5); MNRL uses a scale of 20.</summary>
public sealed record PretrainConfig
{
    public int Epochs { get; init; } = 1;
    public double Lr { get; init; } = 3e-5;
    public double? Temperature { get; init; }
    public double Scale { get; init; } = 20;
    public double WarmupRatio { get; init; } = 0.1;
    public double NoiseRatio { get; init; } = 0.1;
    public string PositiveLabel { get; init; } = "1";
    public int? BatchSize { get; init; }
}

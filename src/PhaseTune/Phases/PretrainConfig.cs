using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhaseTune.Phases;

/// <summary>Embedding pre-training before a classifier (SimCSE, MNRL, SupCon, SimCLR). The temperature is the
/// objective's paper default when left out: SimCSE 0.05, SupCon 0.07, SimCLR 0.5; MNRL uses a scale of 20.</summary>
public sealed record PretrainConfig
{
    public int Epochs { get; init; } = 1;
    public double Lr { get; init; } = 3e-5;
    [System.Text.Json.Serialization.JsonPropertyName("temperature")] public double? TemperatureOverride { get; init; }
    public double Scale { get; init; } = 20;
    public double WarmupRatio { get; init; } = 0.1;
    public double NoiseRatio { get; init; } = 0.1;
    public string PositiveLabel { get; init; } = "1";
    public int? BatchSize { get; init; }
    [System.Text.Json.Serialization.JsonIgnore] public string Objective { get; init; } = "simcse";

    [System.Text.Json.Serialization.JsonIgnore] public double Temperature => TemperatureOverride ?? Objective switch { "supcon" => 0.07, "simclr" => 0.5, _ => 0.05 };
}

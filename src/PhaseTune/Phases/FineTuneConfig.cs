using System.Text.Json.Serialization;
using PhaseTune.Training.Optimization;
namespace PhaseTune.Phases;

/// <summary>Phase 3, fine-tuning with the MLP head; 20 % linear warmup then linear decay, early stopping on dev.</summary>
public sealed record FineTuneConfig
{
    public int MaxEpochs { get; init; } = 10;
    public int MinEpochs { get; init; } = 1;
    public int Patience { get; init; } = 3;
    public double Lr { get; init; } = 2e-5;
    public double LrHead { get; init; } = 1e-3;
    public double WarmupRatio { get; init; } = 0.2;
    public string Schedule { get; init; } = "linear";
    public string Metric { get; init; } = "accuracy";
    public string HeadActivation { get; init; } = "relu";
    /// <summary>The head's hidden layer sizes (<see cref="Models.HeadSpec"/>); [] is one linear map.</summary>
    public int[] HeadHidden { get; init; } = [.. Models.HeadSpec.Default.Hidden];
    /// <summary>Dropout on each head layer's input, one rate per linear layer (hidden layers, then the output one).</summary>
    public double[] HeadDropout { get; init; } = [.. Models.HeadSpec.Default.Dropout];
    /// <summary>A learning rate per head linear layer (the MASSIVE report's 0.01 / 0.009); null trains the head at
    /// <see cref="LrHead"/>.</summary>
    public double[]? LrHeadLayers { get; init; }
    public bool FreezeEncoder { get; init; }
    public bool ClassWeights { get; init; }
    public int? BatchSize { get; init; }
    /// <summary>AdamW's epsilon.</summary>
    public double Eps { get; init; } = 1e-8;
    /// <summary>This phase's weight decay; null takes the run's <c>weight_decay</c>.</summary>
    public double? WeightDecay { get; init; }
    /// <summary>Layer-wise learning-rate decay factor; null trains all encoder layers at <see cref="Lr"/>.</summary>
    public double? Llrd { get; init; }
    public string Optimizer { get; init; } = "adamw";
    public double Momentum { get; init; } = 0.9;
    /// <summary>Floor of the cosine schedule as a fraction of the peak learning rate.</summary>
    public double MinLrRatio { get; init; }
    /// <summary>The cosine schedule's floor as a learning rate (PyTorch's CosineAnnealingLR eta_min), for every group.</summary>
    public double EtaMin { get; init; }
    /// <summary>The cosine schedule's half period in epochs (PyTorch's CosineAnnealingLR T_max, stepped once per epoch:
    /// the rate is constant within an epoch and rises again after T_max); null: one decay over the whole run, per step.</summary>
    public double? TMax { get; init; }

    [JsonIgnore] public Models.HeadSpec Head => new(HeadHidden, HeadDropout, HeadActivation);
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhaseTune.Training;

/// <summary>Phase 1, the denoising autoencoder. Defaults are TSDAE's (the paper follows it): deletion ratio 0.6,
/// learning rate 3e-5 held constant, decoder tied to the encoder.</summary>
public sealed record DaeConfig
{
    public int Epochs { get; init; } = 1;
    public double Lr { get; init; } = 3e-5;
    public double DeletionRatio { get; init; } = 0.6;
    public bool TieDecoder { get; init; } = true;
    public string Schedule { get; init; } = "constant";
    public double WarmupRatio { get; init; } = 0;
    public int? BatchSize { get; init; }
}

/// <summary>Phase 2, supervised contrastive (Siamese cosine, MSE). aug 12 and the "normal" imbalance
/// correction are the paper's code's defaults.</summary>
public sealed record ContrastiveConfig
{
    public int Epochs { get; init; } = 1;
    public double Lr { get; init; } = 2e-5;
    public int Aug { get; init; } = 12;
    public ImbalanceMode Imbalance { get; init; } = ImbalanceMode.Normal;
    public int MinWords { get; init; } = 6;
    public string Projection { get; init; } = "none";
    public string Schedule { get; init; } = "linear";
    public double WarmupRatio { get; init; } = 0.1;
    public int? BatchSize { get; init; }
}

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
    public bool FreezeEncoder { get; init; }
    public bool ClassWeights { get; init; }
    public int? BatchSize { get; init; }
    /// <summary>Layer-wise learning-rate decay factor; null trains all encoder layers at <see cref="Lr"/>.</summary>
    public double? Llrd { get; init; }
    public string Optimizer { get; init; } = "adamw";
    public double Momentum { get; init; } = 0.9;
    /// <summary>Floor of the cosine schedule as a fraction of the peak learning rate.</summary>
    public double MinLrRatio { get; init; }
}

/// <summary>Phases 1 and 2 at once: L = L_DAE + L_CL per step ("sum", the paper's eq. 10) or one batch of each in
/// turn ("alternate", as the released code does).</summary>
public sealed record JointConfig
{
    public string Mode { get; init; } = "sum";
    public int Epochs { get; init; } = 1;
    public double Lr { get; init; } = 3e-5;
}

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

/// <summary>Everything a `train` run needs; one record per phase. Read from JSON (snake_case keys), then CLI flags override.</summary>
public sealed record TrainConfig
{
    public string[] Phases { get; init; } = ["dae", "cl", "ft"];
    public int Seed { get; init; } = 42;
    public int BatchSize { get; init; } = 16;
    public int MaxLength { get; init; } = 128;
    public string Pooling { get; init; } = "cls";
    public double WeightDecay { get; init; } = 0.01;
    public double MaxGradNorm { get; init; } = 1.0;
    public int LogEvery { get; init; } = 10;
    public int CheckpointEvery { get; init; } = 500;
    public int Threads { get; init; }
    /// <summary>Batches of similar-length texts (HF's group_by_length) in the DAE and contrastive phases: less
    /// padding, faster steps. Not in fine-tuning or the in-batch-negative objectives, where a batch's make-up is
    /// part of the objective and lengths follow the labels.</summary>
    public bool GroupByLength { get; init; } = true;
    public string? LabelLevels { get; init; }
    public DaeConfig Dae { get; init; } = new();
    public ContrastiveConfig Cl { get; init; } = new();
    public FineTuneConfig Ft { get; init; } = new();
    public JointConfig Joint { get; init; } = new();
    public PretrainConfig Pretrain { get; init; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static readonly string[][] KnownPhaseLists =
        [["dae", "cl", "ft"], ["joint", "ft"], ["cl", "ft"], ["dae", "ft"], ["ft"],
         ..EmbeddingPretrainPhase.Objectives.Select(o => new[] { o, "ft" })];

    public TrainConfig Validate(string source = "config")
    {
        if (!KnownPhaseLists.Any(p => p.SequenceEqual(Phases)))
            throw new ArgumentException($"{source}: phases '{string.Join(",", Phases)}' not supported (dae,cl,ft | joint,ft | cl,ft | dae,ft | ft | OBJECTIVE,ft with OBJECTIVE one of simcse, simcse-sup, mnrl, supcon, simclr)");
        if (BatchSize < 1 || MaxLength < 3) throw new ArgumentException($"{source}: batch_size must be ≥ 1 and max_length ≥ 3");
        if (Dae.DeletionRatio is < 0 or >= 1) throw new ArgumentException($"{source}: dae.deletion_ratio must be in [0, 1)");
        if (Cl.Projection is not ("none" or "linear")) throw new ArgumentException($"{source}: cl.projection must be none or linear");
        if (Joint.Mode is not ("sum" or "alternate")) throw new ArgumentException($"{source}: joint.mode must be sum or alternate");
        if (Ft.Metric is not ("accuracy" or "macro_f1")) throw new ArgumentException($"{source}: ft.metric must be accuracy or macro_f1");
        if (Ft.Optimizer is not ("adamw" or "sgd")) throw new ArgumentException($"{source}: ft.optimizer must be adamw or sgd");
        if (Ft.Llrd is <= 0 or > 1) throw new ArgumentException($"{source}: ft.llrd must be in (0, 1]");
        if (Ft.MinEpochs > Ft.MaxEpochs) throw new ArgumentException($"{source}: ft.min_epochs exceeds ft.max_epochs");
        Models.Pooling.Parse(Pooling);
        return this;
    }
}

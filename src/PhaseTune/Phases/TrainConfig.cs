using System.Text.Json;
using System.Text.Json.Serialization;
using PhaseTune.Models;

namespace PhaseTune.Phases;

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

using System.Text.Json;
using System.Text.Json.Serialization;
using PhaseTune.Models;
using PhaseTune.Training;

namespace PhaseTune.Phases;

/// <summary>Everything a run needs: the phases in order, shared settings and one record per phase. JSON keys are the
/// snake_case property names (`dae.lr`); <c>Runs.ConfigResolver</c> layers defaults, preset, config file and flags.</summary>
public sealed record TrainConfig
{
    public PhaseKind[] Phases { get; init; } = [PhaseKind.Dae, PhaseKind.Contrastive, PhaseKind.FineTune];
    /// <summary>The defaults the run started from: "pretrained" (Table 5 of the paper) or "scratch" (a randomly
    /// initialised encoder); chosen from the model unless set.</summary>
    public string Preset { get; init; } = "pretrained";
    public int Seed { get; init; } = 42;
    public int BatchSize { get; init; } = 16;
    /// <summary>Tokens per text; <see cref="AutoMaxLength"/> ("auto" in files and flags) is resolved by the run to 1.2 ×
    /// the longest training text, capped at the model's maximum, as the paper sets it.</summary>
    [JsonConverter(typeof(MaxLengthJsonConverter))]
    public int MaxLength { get; init; } = 128;
    public string Pooling { get; init; } = "cls";
    /// <summary>L2-normalise the sentence vector (a sentence-transformers Normalize module).</summary>
    public bool Normalize { get; init; }
    public double WeightDecay { get; init; } = 0.01;
    public double MaxGradNorm { get; init; } = 1.0;
    public int LogEvery { get; init; } = 10;
    public int CheckpointEvery { get; init; } = 500;
    public int Threads { get; init; }
    /// <summary>fp32 | bf16 | auto: the matrix products' precision (<see cref="Autocast"/>); a run records what auto
    /// chose.</summary>
    public string Precision { get; init; } = "auto";
    /// <summary>Batches of similar-length texts (HF's group_by_length) in the DAE and contrastive phases: less
    /// padding, faster steps. Not in fine-tuning or the in-batch-negative objectives, where a batch's make-up is
    /// part of the objective and lengths follow the labels.</summary>
    public bool GroupByLength { get; init; } = true;
    public string? LabelLevels { get; init; }
    /// <summary>Keep the MLM, DAE and contrastive phases' best weights on dev (scored <see cref="SelectChecks"/> times
    /// per epoch: MLM by dev masked-LM loss with one fixed masking, DAE by dev reconstruction loss, CL by the Spearman
    /// correlation of cosine and target on dev pairs) when there is a dev set.</summary>
    public bool SelectBest { get; init; } = true;
    /// <summary>Every hidden and attention dropout of the encoder during this run (and in the config.json it saves);
    /// null keeps the model's own (HF's hidden_dropout_prob, attention_probs_dropout_prob).</summary>
    public double? Dropout { get; init; }
    public int SelectChecks { get; init; } = 4;
    /// <summary>Score the (cut) training set too, with the final model, as metrics.json's "train".</summary>
    public bool EvalTrain { get; init; }
    public DaeConfig Dae { get; init; } = new();
    public ContrastiveConfig Cl { get; init; } = new();
    public FineTuneConfig Ft { get; init; } = new();
    public JointConfig Joint { get; init; } = new();
    public PretrainConfig Pretrain { get; init; } = new();
    public MlmConfig Mlm { get; init; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        Converters = { new PhaseKindJsonConverter(), new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The value of <see cref="MaxLength"/> that stands for "auto".</summary>
    public const int AutoMaxLength = 0;

    public TrainerOptions ToTrainerOptions() => new(MaxGradNorm, LogEvery, CheckpointEvery);

    /// <summary>Checks every setting; errors name the setting as a config key.</summary>
    public TrainConfig Validate(string source = "config")
    {
        if (Phases.Length == 0) throw new ArgumentException($"{source}: phases is empty");
        try { Autocast.Resolve(Precision); }
        catch (ArgumentException e) { throw new ArgumentException($"{source}: {e.Message}"); }
        if (Preset is not ("pretrained" or "scratch")) throw new ArgumentException($"{source}: preset must be pretrained or scratch, got '{Preset}'");
        if (SelectChecks < 1) throw new ArgumentException($"{source}: select_checks must be at least 1 (got {SelectChecks})");
        if (BatchSize < 1) throw new ArgumentException($"{source}: batch_size must be at least 1 (got {BatchSize})");
        if (MaxLength < 3 && MaxLength != AutoMaxLength) throw new ArgumentException($"{source}: max_length must be at least 3 or auto (got {MaxLength})");
        if (Mlm.MaskProbability is <= 0 or >= 1) throw new ArgumentException($"{source}: mlm.mask_probability must be in (0, 1), got {Mlm.MaskProbability}");
        if (Mlm.BlockSize is < 3) throw new ArgumentException($"{source}: mlm.block_size must be at least 3, got {Mlm.BlockSize}");
        if (Dropout is < 0 or >= 1 or double.NaN) throw new ArgumentException($"{source}: dropout must be in [0, 1), got {Dropout}");
        if (Mlm.MaxSteps is < 1) throw new ArgumentException($"{source}: mlm.max_steps must be at least 1, got {Mlm.MaxSteps}");
        if (Dae.DeletionRatio is < 0 or >= 1) throw new ArgumentException($"{source}: dae.deletion_ratio must be in [0, 1)");
        if (Cl.Projection is not ("none" or "linear")) throw new ArgumentException($"{source}: cl.projection must be none or linear");
        if (Joint.Mode is not ("sum" or "alternate")) throw new ArgumentException($"{source}: joint.mode must be sum or alternate");
        if (Ft.Metric is not ("accuracy" or "macro_f1")) throw new ArgumentException($"{source}: ft.metric must be accuracy or macro_f1");
        if (Ft.Optimizer is not ("adamw" or "sgd")) throw new ArgumentException($"{source}: ft.optimizer must be adamw or sgd");
        if (Ft.Llrd is <= 0 or > 1) throw new ArgumentException($"{source}: ft.llrd must be in (0, 1]");
        if (Ft.MinEpochs > Ft.MaxEpochs) throw new ArgumentException($"{source}: ft.min_epochs exceeds ft.max_epochs");
        if (Ft.MaxEpochs < 0) throw new ArgumentException($"{source}: ft.max_epochs must not be negative (0 evaluates the model before fine-tuning), got {Ft.MaxEpochs}");
        if (Ft.HeadHidden is null || Ft.HeadDropout is null || Pretrain.Projection is null)
            throw new ArgumentException($"{source}: ft.head_hidden, ft.head_dropout and pretrain.projection are lists (empty, not null)");
        Ft.Head.Validate(source);
        if (Ft.LrHeadLayers is { } lrs && lrs.Length != Ft.Head.Layers)
            throw new ArgumentException($"{source}: ft.lr_head_layers needs one learning rate per head layer ({Ft.Head.Layers}), got {lrs.Length}");
        CheckCosine(source, "ft", Ft.Schedule, Ft.EtaMin, Ft.TMax);
        CheckCosine(source, "pretrain", Pretrain.Schedule, Pretrain.EtaMin, Pretrain.TMax);
        if (Pretrain.Optimizer is not ("adamw" or "sgd")) throw new ArgumentException($"{source}: pretrain.optimizer must be adamw or sgd");
        if (Pretrain.Llrd is <= 0 or > 1) throw new ArgumentException($"{source}: pretrain.llrd must be in (0, 1]");
        if (Pretrain.Reduction is not ("mean" or "sum")) throw new ArgumentException($"{source}: pretrain.reduction must be mean or sum");
        if (Pretrain.ViewDropout is < 0 or >= 1 or double.NaN) throw new ArgumentException($"{source}: pretrain.view_dropout must be in [0, 1), got {Pretrain.ViewDropout}");
        if (Pretrain.Projection.Any(h => h < 1)) throw new ArgumentException($"{source}: pretrain.projection sizes must be at least 1");
        if ((Pretrain.Projection.Length > 0 || Pretrain.ViewDropout > 0 || Pretrain.Reduction != "mean") && !Phases.Any(p => p is PhaseKind.SupCon or PhaseKind.SimClr))
            throw new ArgumentException($"{source}: pretrain.projection, pretrain.view_dropout and pretrain.reduction apply to the supcon and simclr phases, which phases '{PhaseKinds.Names(Phases)}' lack");
        try { Models.Pooling.Parse(Pooling); }
        catch (ArgumentException e) { throw new ArgumentException($"{source}: pooling: {e.Message}"); }
        return this;
    }

    static void CheckCosine(string source, string section, string schedule, double etaMin, double? tMax)
    {
        if (schedule != "cosine" && (etaMin != 0 || tMax is not null))
            throw new ArgumentException($"{source}: {section}.eta_min and {section}.t_max need {section}.schedule = \"cosine\" (it is '{schedule}')");
        if (tMax is <= 0) throw new ArgumentException($"{source}: {section}.t_max must be positive (epochs), got {tMax}");
        if (etaMin < 0) throw new ArgumentException($"{source}: {section}.eta_min must not be negative, got {etaMin}");
    }

    /// <summary>This config with <c>auto</c> replaced by what it means on this machine: what a run trains in and
    /// records in training_config.json.</summary>
    public TrainConfig WithResolvedPrecision() => this with { Precision = Autocast.Name(Autocast.Resolve(Precision)) };

    /// <summary>A classifier run's phases must be one of <see cref="PhaseKinds.ClassifierRecipes"/>.</summary>
    public TrainConfig ValidateClassifierRecipe(string source = "config")
    {
        if (!PhaseKinds.ClassifierRecipes.Any(p => p.SequenceEqual(Phases)))
            throw new ArgumentException($"{source}: phases '{PhaseKinds.Names(Phases)}' not supported ({string.Join(" | ", PhaseKinds.ClassifierRecipes.Select(PhaseKinds.Names))})");
        return Validate(source);
    }
}

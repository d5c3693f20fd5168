using System.Text.Json;
using System.Text.Json.Serialization;
using PhaseTune.Hub;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;

namespace PhaseTune.MultiTask;

/// <summary>A multi-task run (the CS224N-style SST-5 / Quora / STS-B system): shared encoder, optional shared
/// Linear+Tanh layer, a head per task, a training order, optional PCGrad and optional embedding pre-training.</summary>
public sealed record MultiTaskConfig
{
    public string Model { get; init; } = "";
    public string? Vocab { get; init; }
    public TaskConfig[] Tasks { get; init; } = [];
    /// <summary>sequential | round_robin | interleaved | mtdnn (<see cref="TaskSampler"/>)</summary>
    public string TrainingOrder { get; init; } = "mtdnn";
    /// <summary>Task names in training order, repeats allowed (sequential, round_robin); empty: every task once, as listed.</summary>
    public string[] TaskOrder { get; init; } = [];
    public bool Pcgrad { get; init; }
    /// <summary>sum | mean of the projected gradients (<see cref="Training.Optimization.PCGrad"/>).</summary>
    public string PcgradReduction { get; init; } = "sum";
    public bool SharedLayer { get; init; } = true;
    /// <summary>Dropout before the shared layer's Linear (the report's "CL (Dropout)").</summary>
    public double SharedDropout { get; init; }
    /// <summary>Dropout on each head's input (the pooled, shared-layer output).</summary>
    public double HeadDropout { get; init; } = 0.1;
    /// <summary>Between a DPHA head's per-input layers and its final layer.</summary>
    public string HeadActivation { get; init; } = "tanh";
    /// <summary>Train the heads (and shared layer) only; the report's "Pretrain" training method.</summary>
    public bool FreezeEncoder { get; init; }
    /// <summary>none | simcse | simcse-sup | mnrl: embedding pre-training before multi-task training.</summary>
    public string Pretrain { get; init; } = "none";
    public int PretrainEpochs { get; init; } = 1;
    /// <summary>The pre-training data (e.g. NLI triplets: text, positive, negative); none: from the tasks' own data.</summary>
    public string? PretrainData { get; init; }
    [JsonIgnore] public PhaseKind? PretrainObjective => Pretrain == "none" ? null : PhaseKinds.Parse(Pretrain, "pretrain");
    public int Epochs { get; init; } = 3;
    public double Lr { get; init; } = 2e-5;
    public double LrHead { get; init; } = 1e-3;
    public double WarmupRatio { get; init; } = 0.1;
    /// <summary>linear | cosine | constant</summary>
    public string Schedule { get; init; } = "linear";
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Gradient-norm clipping; 0: off.</summary>
    public double MaxGradNorm { get; init; } = 1.0;
    /// <summary>Also score every task on its training split at the end (metrics.json "train").</summary>
    public bool TrainScores { get; init; }
    public int BatchSize { get; init; } = 16;
    public int MaxLength { get; init; } = 128;
    public int Seed { get; init; } = 42;
    public string Pooling { get; init; } = "cls";
    public bool Normalize { get; init; }
    public int Threads { get; init; }
    /// <summary>fp32 | bf16 | auto, as train's <c>precision</c>.</summary>
    public string Precision { get; init; } = "auto";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads TOML or JSON; relative data, model and vocab paths are taken from the config file's folder.</summary>
    /// <param name="hub">how a Hub model name resolves (default: <see cref="ModelLocator.Defaults"/>)</param>
    public static MultiTaskConfig Load(string path, HubOptions? hub = null)
    {
        MultiTaskConfig c;
        var json = ConfigFile.Read(path);
        if (json.ContainsKey("sampler"))
            throw new InvalidDataException($"{path}: 'sampler' was renamed to 'training_order' (issue 12): the old 'sequential' is now 'round_robin' " +
                "(each task's data in turn every epoch), the old 'round_robin' is 'interleaved' (one batch of each task in turn), 'mtdnn' is unchanged; " +
                "'sequential' now trains one task for all epochs, then the next");
        try { c = json.Deserialize<MultiTaskConfig>(Json)!; }
        catch (JsonException e) { throw new InvalidDataException(Explain(e, path)); }
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Abs(string p) => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(dir, p));
        c = c with
        {
            // a Hub name stays one unless a folder of that name lies beside the config file
            Model = c.Model.StartsWith("scratch:") || !Path.Exists(Abs(c.Model)) && HubModelName.TryParse(c.Model, out _) ? c.Model : Abs(c.Model),
            Vocab = c.Vocab is null ? null : Abs(c.Vocab),
            PretrainData = c.PretrainData is null ? null : Abs(c.PretrainData),
            Tasks = c.Tasks.Select(t => t with { Data = Abs(t.Data) }).ToArray(),
        };
        // a checkpoint's sentence pipeline is the default of what the file leaves out
        string folder;
        try { folder = ModelLocator.Locate(c.Model, hub); }
        catch (HubException e) { throw new HubException($"{path}: model: {e.Message}", e, e.Unreachable); }
        if (!c.Model.StartsWith("scratch:") && Directory.Exists(folder))
        {
            var p = ModelDirectory.ReadPipeline(folder);
            c = c with
            {
                Pooling = json.ContainsKey("pooling") ? c.Pooling : p.PoolingName ?? c.Pooling,
                Normalize = json.ContainsKey("normalize") ? c.Normalize : p.Normalize,
                MaxLength = json.ContainsKey("max_length") ? c.MaxLength : p.MaxSeqLength ?? c.MaxLength,
            };
        }
        return c.Validate(path);
    }

    /// <summary>What the command line may replace (the multitask flags, the reproduce command's scales); null keeps the
    /// file's value. <paramref name="lr"/> sets the encoder's and the heads' rate alike, as the CS224N report trains.</summary>
    public MultiTaskConfig Override(string? model = null, string? vocab = null, int? epochs = null, int? maxLength = null, double? lr = null,
        string? pretrainData = null, string? precision = null) => (this with
    {
        Model = model ?? Model, Vocab = vocab ?? Vocab, Epochs = epochs ?? Epochs, MaxLength = maxLength ?? MaxLength,
        Lr = lr ?? Lr, LrHead = lr ?? LrHead, PretrainData = pretrainData ?? PretrainData, Precision = precision ?? Precision,
    }).Validate("the command line");

    /// <summary>A deserialisation error as the config key it is about, never a .NET type.</summary>
    static string Explain(JsonException e, string file)
    {
        string where = System.Text.RegularExpressions.Regex.Replace((e.Path ?? "$").TrimStart('$').TrimStart('.'), @"\[\d+\]", "");
        string key = where.Contains('.') ? where[(where.LastIndexOf('.') + 1)..] : where;
        string section = where.Contains('.') ? where[..where.LastIndexOf('.')] : "";
        if (e.Message.Contains("could not be mapped"))
        {
            var known = JsonSerializer.SerializeToNode(section == "tasks" ? new TaskConfig() : (object)new MultiTaskConfig(), Json)!.AsObject().Select(kv => kv.Key).ToList();
            return ConfigFile.UnknownKey(file, section, key, known);
        }
        return $"{file}: '{where}' has an invalid value";
    }

    /// <summary>This config with <c>auto</c> replaced by what it means on this machine, as the run records it.</summary>
    public MultiTaskConfig WithResolvedPrecision() => this with { Precision = Autocast.Name(Autocast.Resolve(Precision)) };

    public MultiTaskConfig Validate(string source)
    {
        if (Model.Length == 0) throw new ArgumentException($"{source}: no model");
        try { Autocast.Resolve(Precision); }
        catch (ArgumentException e) { throw new ArgumentException($"{source}: {e.Message}"); }
        if (Tasks.Length == 0) throw new ArgumentException($"{source}: no [[tasks]]");
        if (!TaskSampler.Orders.Contains(TrainingOrder)) throw new ArgumentException($"{source}: training_order must be {string.Join(", ", TaskSampler.Orders)}");
        if (TaskOrder.Length > 0 && TrainingOrder is not ("sequential" or "round_robin"))
            throw new ArgumentException($"{source}: task_order applies to training_order sequential or round_robin, not {TrainingOrder}");
        if (TaskOrder.FirstOrDefault(n => Tasks.All(t => t.Name != n)) is string unknown)
            throw new ArgumentException($"{source}: task_order names '{unknown}', which is not a task ({string.Join(", ", Tasks.Select(t => t.Name))})");
        if (Pcgrad && TaskOrder.Length > 0) throw new ArgumentException($"{source}: pcgrad trains every task each step; task_order cannot be set with it");
        if (Pcgrad && FreezeEncoder && !SharedLayer) throw new ArgumentException($"{source}: pcgrad needs shared parameters: a frozen encoder without shared_layer has none");
        if (!Training.Optimization.PCGrad.Reductions.Contains(PcgradReduction)) throw new ArgumentException($"{source}: pcgrad_reduction must be sum or mean");
        if (SharedDropout is < 0 or >= 1 || HeadDropout is < 0 or >= 1) throw new ArgumentException($"{source}: shared_dropout and head_dropout must be in [0, 1)");
        if (HeadActivation is not ("tanh" or "relu" or "gelu")) throw new ArgumentException($"{source}: head_activation must be tanh, relu or gelu");
        if (Schedule is not ("linear" or "cosine" or "constant")) throw new ArgumentException($"{source}: schedule must be linear, cosine or constant");
        if (WeightDecay < 0 || MaxGradNorm < 0) throw new ArgumentException($"{source}: weight_decay and max_grad_norm must not be negative");
        if (Epochs < 1 || BatchSize < 1) throw new ArgumentException($"{source}: epochs and batch_size must be positive");
        if (Pretrain != "none" && !(PhaseKinds.TryParse(Pretrain, out var kind) && kind is PhaseKind.SimCse or PhaseKind.SupervisedSimCse or PhaseKind.Mnrl))
            throw new ArgumentException($"{source}: pretrain must be none, {PhaseKind.SimCse.Name()}, {PhaseKind.SupervisedSimCse.Name()} or {PhaseKind.Mnrl.Name()}");
        if (PretrainData is not null && Pretrain == "none") throw new ArgumentException($"{source}: pretrain_data is set but pretrain is none");
        foreach (var t in Tasks)
        {
            if (t.Name.Length == 0) throw new ArgumentException($"{source}: a task has no name");
            if (!TaskConfig.Encodings.Contains(t.Encoding)) throw new ArgumentException($"{source}: task {t.Name}: encoding must be {string.Join(", ", TaskConfig.Encodings)}");
            if (t.Metric is not ("accuracy" or "macro_f1" or "pearson" or "spearman")) throw new ArgumentException($"{source}: task {t.Name}: metric must be accuracy, macro_f1, pearson or spearman");
            if ((t.Kind == TaskKind.PairRegression) != (t.Metric is "pearson" or "spearman"))
                throw new ArgumentException($"{source}: task {t.Name}: regression tasks use pearson/spearman, classification tasks accuracy/macro_f1");
            if (t.Weight <= 0) throw new ArgumentException($"{source}: task {t.Name}: weight must be positive");
            if (t.Split.Length != 3 || Math.Abs(t.Split.Sum() - 1) > 1e-6) throw new ArgumentException($"{source}: task {t.Name}: split must be three fractions summing to 1");
        }
        if (Tasks.Select(t => t.Name).Distinct().Count() != Tasks.Length) throw new ArgumentException($"{source}: task names must be unique");
        return this;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using PhaseTune.Hub;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;

namespace PhaseTune.MultiTask;

/// <summary>A multi-task run (the CS224N-style SST-5 / Quora / STS-B system): shared encoder, optional shared
/// Linear+Tanh layer, a head per task, a task sampler, optional PCGrad and optional embedding pre-training.</summary>
public sealed record MultiTaskConfig
{
    public string Model { get; init; } = "";
    public string? Vocab { get; init; }
    public TaskConfig[] Tasks { get; init; } = [];
    /// <summary>sequential | round_robin | mtdnn</summary>
    public string Sampler { get; init; } = "mtdnn";
    public bool Pcgrad { get; init; }
    public bool SharedLayer { get; init; } = true;
    /// <summary>none | simcse | mnrl: embedding pre-training on the tasks' texts before multi-task training.</summary>
    public string Pretrain { get; init; } = "none";
    public int PretrainEpochs { get; init; } = 1;
    [JsonIgnore] public PhaseKind? PretrainObjective => Pretrain == "none" ? null : PhaseKinds.Parse(Pretrain, "pretrain");
    public int Epochs { get; init; } = 3;
    public double Lr { get; init; } = 2e-5;
    public double LrHead { get; init; } = 1e-3;
    public double WarmupRatio { get; init; } = 0.1;
    public int BatchSize { get; init; } = 16;
    public int MaxLength { get; init; } = 128;
    public int Seed { get; init; } = 42;
    public string Pooling { get; init; } = "cls";
    public bool Normalize { get; init; }
    public int Threads { get; init; }

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
        try { c = json.Deserialize<MultiTaskConfig>(Json)!; }
        catch (JsonException e) { throw new InvalidDataException(Explain(e, path)); }
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Abs(string p) => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(dir, p));
        c = c with
        {
            // a Hub name stays one unless a folder of that name lies beside the config file
            Model = c.Model.StartsWith("scratch:") || !Path.Exists(Abs(c.Model)) && HubModelName.TryParse(c.Model, out _) ? c.Model : Abs(c.Model),
            Vocab = c.Vocab is null ? null : Abs(c.Vocab),
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

    public MultiTaskConfig Validate(string source)
    {
        if (Model.Length == 0) throw new ArgumentException($"{source}: no model");
        if (Tasks.Length == 0) throw new ArgumentException($"{source}: no [[tasks]]");
        if (Sampler is not ("sequential" or "round_robin" or "mtdnn")) throw new ArgumentException($"{source}: sampler must be sequential, round_robin or mtdnn");
        if (Pretrain != "none" && !(PhaseKinds.TryParse(Pretrain, out var kind) && kind is PhaseKind.SimCse or PhaseKind.Mnrl))
            throw new ArgumentException($"{source}: pretrain must be none, {PhaseKind.SimCse.Name()} or {PhaseKind.Mnrl.Name()}");
        foreach (var t in Tasks)
        {
            if (t.Name.Length == 0) throw new ArgumentException($"{source}: a task has no name");
            if (t.Encoding is not ("cross" or "bi")) throw new ArgumentException($"{source}: task {t.Name}: encoding must be cross or bi");
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

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PhaseTune.Hub;
using PhaseTune.IO;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Phases;

namespace PhaseTune.Runs;

/// <summary>Resolves a run's configuration in one order: defaults ← preset (scratch or pretrained) ← config file ←
/// flags (<see cref="ConfigOverride"/>s, e.g. from <see cref="ConfigOptions"/>). What `train` writes to
/// training_config.json is the result.</summary>
public static partial class ConfigResolver
{
    /// <summary>The defaults of a run. "pretrained" follows Table 5 of the paper (its SNIPS2 column for RoBERTa, the
    /// main job's data set; the authors' code where the table is silent): DAE and CL at 5e-5 with 10 % warmup then
    /// linear decay, FT at 1e-5 for up to 70 epochs with early stopping, batches of 32, AdamW's epsilon 1e-6 (DAE,
    /// CL) and 2e-5 (FT), no weight decay. "scratch" keeps the larger steps a randomly initialised encoder needs and
    /// the settings the scratch benchmarks were run with. A checkpoint's own sentence pipeline (pooling, Normalize,
    /// max_seq_length) is the default of a run from it.</summary>
    public static TrainConfig Preset(string model, string? preset = null)
    {
        preset ??= model.StartsWith("scratch:", StringComparison.Ordinal) ? "scratch" : "pretrained";
        var c = new TrainConfig { Preset = preset };
        c = preset switch
        {
            "scratch" => c with
            {
                Dae = c.Dae with { Lr = 5e-4 },
                Cl = c.Cl with { Lr = 1e-4 },
                Ft = c.Ft with { Lr = 1e-3 },
                Joint = c.Joint with { Lr = 3e-4 },
                Mlm = c.Mlm with { Lr = 5e-4 },
            },
            "pretrained" => c with
            {
                BatchSize = 32, WeightDecay = 0,
                Dae = c.Dae with { Lr = 5e-5, Schedule = "linear", WarmupRatio = 0.1, Eps = 1e-6 },
                Cl = c.Cl with { Lr = 5e-5, Eps = 1e-6 },
                Ft = c.Ft with { Lr = 1e-5, MaxEpochs = 70, Eps = 2e-5 },
                Joint = c.Joint with { Lr = 5e-5 },
            },
            _ => throw new ArgumentException($"unknown preset '{preset}' (pretrained, scratch)"),
        };
        string folder = ModelLocator.Locate(model);
        if (folder.StartsWith("scratch:", StringComparison.Ordinal) || !Directory.Exists(folder)) return c;
        var p = ModelDirectory.ReadPipeline(folder);
        return c with
        {
            Pooling = p.PoolingName ?? c.Pooling,
            Normalize = p.Normalize,
            MaxLength = p.MaxSeqLength ?? c.MaxLength,
        };
    }

    public static TrainConfig Resolve(string model, string? configFile = null, IEnumerable<ConfigOverride>? overrides = null)
    {
        var file = configFile is null ? null : ConfigFile.Read(configFile);
        var list = overrides?.ToList() ?? [];
        // the preset is chosen from the model, unless the flags or the file name one
        string? preset = list.LastOrDefault(o => o.Path == "preset")?.Value?.ToString() ?? (file?["preset"] is JsonValue v && v.TryGetValue<string>(out var named) ? named : null);
        TrainConfig start;
        try { start = Preset(model, preset); }
        catch (ArgumentException e) { throw new ArgumentException($"{configFile ?? "options"}: {e.Message}"); }
        var json = JsonSerializer.SerializeToNode(start, TrainConfig.Json)!.AsObject();
        var defaults = (JsonObject)json.DeepClone();
        if (file is not null) ConfigFile.Merge(json, file);
        foreach (var o in list) Set(json, o.Path, o.Value?.DeepClone());
        TrainConfig c;
        try { c = json.Deserialize<TrainConfig>(TrainConfig.Json)!; }
        catch (JsonException e) { throw new InvalidDataException(Explain(e, configFile, list, defaults)); }
        if (c.Ft.MinEpochs > c.Ft.MaxEpochs) c = c with { Ft = c.Ft with { MinEpochs = c.Ft.MaxEpochs } };
        try { return c.Validate(configFile ?? "options"); }
        catch (ArgumentException e)
        {
            var by = list.Where(o => e.Message.Contains(": " + o.Path + " ")).Select(o => o.Origin).Distinct().ToList();
            throw by.Count == 0 ? e : new ArgumentException($"{e.Message} (set by {string.Join(", ", by)})");
        }
    }

    static void Set(JsonObject root, string path, JsonNode? value)
    {
        var keys = path.Split('.');
        var node = root;
        foreach (var k in keys[..^1])
        {
            if (node[k] is not JsonObject next) node[k] = next = new JsonObject();
            node = next;
        }
        node[keys[^1]] = value;
    }

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnknownProperty();

    /// <summary>A deserialisation error in the user's terms: the flag or the config key, never a .NET type.</summary>
    static string Explain(JsonException e, string? file, IReadOnlyList<ConfigOverride> overrides, JsonObject defaults)
    {
        string path = Regex.Replace((e.Path ?? "$").TrimStart('$').TrimStart('.'), @"\[\d+\]$", "");
        if (UnknownProperty().IsMatch(e.Message))
        {
            string parent = path.Contains('.') ? path[..path.LastIndexOf('.')] : "";
            var known = ((parent.Length == 0 ? defaults : defaults[parent] as JsonObject)?.Select(kv => kv.Key) ?? []).ToList();
            return ConfigFile.UnknownKey(file ?? "options", parent, path[(parent.Length == 0 ? 0 : parent.Length + 1)..], known);
        }
        string what = e.Message;
        if (what.Contains("could not be converted"))
            what = Type(path) is { IsEnum: true } t
                ? $"'{path}' must be one of {string.Join(", ", Enum.GetNames(t).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName))}"
                : $"'{path}' has a value of the wrong type";
        var flag = overrides.LastOrDefault(o => o.Path == path);
        return flag is not null ? $"{flag.Origin}: {what}" : $"{file ?? "options"}: {what}";
    }

    /// <summary>The .NET type behind a config key, found by its snake_case name.</summary>
    static Type? Type(string path)
    {
        Type? t = typeof(TrainConfig);
        foreach (var key in path.Split('.'))
            t = t?.GetProperties().FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == key)?.PropertyType;
        return t is null ? null : Nullable.GetUnderlyingType(t) ?? t;
    }
}

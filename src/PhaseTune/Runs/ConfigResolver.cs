using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
    /// <summary>The paper's learning rates (Table 5) assume a pretrained encoder; a randomly initialised one
    /// (`scratch:PRESET`) starts from larger steps. A checkpoint's own sentence pipeline (pooling, Normalize,
    /// max_seq_length) is the default of a run from it.</summary>
    public static TrainConfig Preset(string model)
    {
        var c = new TrainConfig();
        if (!model.StartsWith("scratch:", StringComparison.Ordinal))
        {
            if (!Directory.Exists(model)) return c;
            var p = ModelDirectory.ReadPipeline(model);
            return c with
            {
                Pooling = p.Pooling?.ToString().ToLowerInvariant() ?? c.Pooling,
                Normalize = p.Normalize,
                MaxLength = p.MaxSeqLength ?? c.MaxLength,
            };
        }
        return c with
        {
            Dae = c.Dae with { Lr = 5e-4 },
            Cl = c.Cl with { Lr = 1e-4 },
            Ft = c.Ft with { Lr = 1e-3 },
            Joint = c.Joint with { Lr = 3e-4 },
        };
    }

    public static TrainConfig Resolve(string model, string? configFile = null, IEnumerable<ConfigOverride>? overrides = null)
    {
        var json = JsonSerializer.SerializeToNode(Preset(model), TrainConfig.Json)!.AsObject();
        var defaults = (JsonObject)json.DeepClone();
        if (configFile is not null) ConfigFile.Merge(json, ConfigFile.Read(configFile));
        var list = overrides?.ToList() ?? [];
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

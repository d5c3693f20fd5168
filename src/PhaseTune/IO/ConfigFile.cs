using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tomlyn;
using Tomlyn.Model;

namespace PhaseTune.IO;

/// <summary>Reads a configuration file, TOML (.toml) or JSON (anything else), as a JSON object, so both formats
/// feed the same deserialisation and its unknown-key errors.</summary>
public static class ConfigFile
{
    public static JsonObject Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: config file not found");
        string text = File.ReadAllText(path);
        if (Path.GetExtension(path).Equals(".toml", StringComparison.OrdinalIgnoreCase))
        {
            TomlTable table;
            try { table = TomlSerializer.Deserialize<TomlTable>(text)!; }
            catch (TomlException e) { throw new InvalidDataException($"{path}: invalid TOML ({e.Message.ReplaceLineEndings(" ")})"); }
            return (JsonObject)ToJson(table, path, "")!;
        }
        try { return JsonNode.Parse(text, null, StrictJson.Document) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message})"); }
    }

    static JsonNode? ToJson(object? value, string path, string key) => value switch
    {
        null => null,
        TomlTable t => new JsonObject(t.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value, path, key.Length == 0 ? kv.Key : $"{key}.{kv.Key}")))),
        TomlTableArray a => new JsonArray(a.Select(v => ToJson(v, path, key)).ToArray()),
        TomlArray a => new JsonArray(a.Select(v => ToJson(v, path, key)).ToArray()),
        string s => s,
        bool b => b,
        long l => l,
        int i => i,
        double d when double.IsFinite(d) => d,
        float f when float.IsFinite(f) => f,
        double or float => throw new InvalidDataException($"{path}: '{key}' is {value}; a setting must be a finite number"),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>Copies <paramref name="source"/> over <paramref name="target"/>, merging nested objects key by key.</summary>
    public static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (k, v) in source.ToList())
        {
            if (v is JsonObject sub && target[k] is JsonObject t) Merge(t, sub);
            else target[k] = v?.DeepClone();
        }
    }

    /// <summary>"FILE: unknown key 'learning_rat' in [ft] (did you mean 'lr'?)", with the keys that are known there.</summary>
    public static string UnknownKey(string file, string section, string key, IReadOnlyCollection<string> known)
    {
        string where = section.Length == 0 ? "" : $" in [{section}]";
        string hint = Suggest(key, known) is string s ? $" (did you mean '{s}'?)" : "";
        return $"{file}: unknown key '{key}'{where}{hint}; known keys{where}: {string.Join(", ", known)}";
    }

    /// <summary>Names users carry over from other tools, and what they are called here.</summary>
    static readonly Dictionary<string, string[]> Synonyms = new()
    {
        ["learning_rate"] = ["lr"], ["lr_rate"] = ["lr"], ["num_epochs"] = ["epochs", "max_epochs"], ["num_train_epochs"] = ["epochs", "max_epochs"],
        ["epochs"] = ["max_epochs"], ["batch"] = ["batch_size"], ["warmup"] = ["warmup_ratio"], ["warmup_steps"] = ["warmup_ratio"],
        ["max_seq_length"] = ["max_length"], ["weight_decay_rate"] = ["weight_decay"], ["dropout"] = ["head_dropout"],
    };

    /// <summary>A known key that <paramref name="key"/> is probably a misspelling or a synonym of.</summary>
    public static string? Suggest(string key, IReadOnlyCollection<string> known)
    {
        foreach (var (name, targets) in Synonyms)
            if (Distance(key, name) <= 2 && targets.FirstOrDefault(known.Contains) is string t) return t;
        var best = known.Select(k => (k, d: Distance(key, k))).OrderBy(x => x.d).FirstOrDefault();
        return best.k is not null && best.d <= Math.Max(1, key.Length / 3) ? best.k : null;
    }

    static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}

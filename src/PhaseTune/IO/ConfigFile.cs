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
            return (JsonObject)ToJson(table)!;
        }
        try { return JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: invalid JSON ({e.Message})"); }
    }

    static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        TomlTable t => new JsonObject(t.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
        TomlTableArray a => new JsonArray(a.Select(ToJson).ToArray()),
        TomlArray a => new JsonArray(a.Select(ToJson).ToArray()),
        string s => s,
        bool b => b,
        long l => l,
        int i => i,
        double d => d,
        float f => f,
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
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace PhaseTune.Runs;

/// <summary>A command-line flag and the config keys it sets (`--lr-dae` → `dae.lr`). The CLI declares its options
/// from <see cref="ConfigOptions"/>, and a C# caller can turn the same flags into the same overrides.</summary>
public sealed record ConfigOption(string Flag, OptionValue Value, string[] Paths, string Description = "", bool Required = false)
{
    public bool IsSwitch => Value is OptionValue.SetsTrue or OptionValue.SetsFalse;

    /// <summary>The overrides for the flag given with <paramref name="text"/> (ignored for switches).</summary>
    public IEnumerable<ConfigOverride> Overrides(string? text = null)
    {
        JsonNode node = Value switch
        {
            OptionValue.SetsTrue => JsonValue.Create(true),
            OptionValue.SetsFalse => JsonValue.Create(false),
            OptionValue.Integer => JsonValue.Create(int.TryParse(Require(text), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
                : throw new ArgumentException($"{Flag}: '{text}' is not an integer")),
            OptionValue.IntegerOrAuto => text == "auto" ? JsonValue.Create("auto")
                : JsonValue.Create(int.TryParse(Require(text), NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m
                    : throw new ArgumentException($"{Flag}: '{text}' is neither a whole number nor auto")),
            OptionValue.Number => JsonValue.Create(double.TryParse(Require(text), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d
                : throw new ArgumentException($"{Flag}: '{text}' is not a number")),
            OptionValue.Word => JsonValue.Create(Require(text)),
            OptionValue.Numbers => new JsonArray(Require(text).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => (JsonNode)JsonValue.Create(double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) ? x
                    : throw new ArgumentException($"{Flag}: '{s}' in '{text}' is not a number"))).ToArray()),
            _ => new JsonArray(Require(text).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
        };
        return Paths.Select(p => new ConfigOverride(p, node.DeepClone(), Flag));
    }

    string Require(string? text) => text ?? throw new ArgumentException($"{Flag} needs a value");
}

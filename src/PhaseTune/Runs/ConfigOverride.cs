using System.Text.Json.Nodes;

namespace PhaseTune.Runs;

/// <summary>One config key set from outside the config file: its dotted path (`dae.lr`), the value, and where it came
/// from (a flag such as `--lr-dae`) for error messages.</summary>
public sealed record ConfigOverride(string Path, JsonNode? Value, string Origin);

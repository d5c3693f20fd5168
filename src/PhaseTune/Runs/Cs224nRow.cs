namespace PhaseTune.Runs;

/// <summary>One row of a report's results table: its number, method, the config that reproduces it (relative to the
/// table file) and the report's scores in the table's column order.</summary>
public sealed record Cs224nRow
{
    public int Exp { get; init; }
    public string Method { get; init; } = "";
    public string Config { get; init; } = "";
    public double[] Report { get; init; } = [];
}

using System.Text.Json;
using PhaseTune.IO;

namespace PhaseTune.Runs;

/// <summary>A report's results table as examples/cs224n/table3.toml holds it: the task columns (train and dev score
/// each, then the average of the dev scores), one <see cref="Cs224nRow"/> per row, and the report's test-set row
/// (<see cref="TestReport"/>: dev-column scores and their average, of the row <see cref="TestRow"/>).</summary>
public sealed record Cs224nTable
{
    public string[] Columns { get; init; } = [];
    public Cs224nRow[] Rows { get; init; } = [];
    public int? TestRow { get; init; }
    public double[] TestReport { get; init; } = [];

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads and checks the table; row configs are resolved against its folder.</summary>
    public static Cs224nTable Load(string path)
    {
        Cs224nTable t;
        try { t = ConfigFile.Read(path).Deserialize<Cs224nTable>(Json)!; }
        catch (JsonException e) { throw new InvalidDataException($"{path}: '{(e.Path ?? "$").TrimStart('$', '.')}' is invalid or unknown"); }
        if (t.Columns.Length == 0 || t.Rows.Length == 0) throw new InvalidDataException($"{path}: needs columns and [[rows]]");
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var r in t.Rows)
        {
            if (r.Report.Length != 2 * t.Columns.Length + 1)
                throw new InvalidDataException($"{path}: row {r.Exp}: report has {r.Report.Length} numbers, expected {2 * t.Columns.Length + 1} (train, dev per column, average)");
            if (!File.Exists(Path.Combine(dir, r.Config))) throw new InvalidDataException($"{path}: row {r.Exp}: config {r.Config} not found");
        }
        if (t.Rows.Select(r => r.Exp).Distinct().Count() != t.Rows.Length) throw new InvalidDataException($"{path}: row numbers must be unique");
        if (t.TestRow is int row && (t.Rows.All(r => r.Exp != row) || t.TestReport.Length != t.Columns.Length + 1))
            throw new InvalidDataException($"{path}: test_row must name a row and test_report give one score per column and the average");
        return t with { Rows = t.Rows.Select(r => r with { Config = Path.Combine(dir, r.Config) }).ToArray() };
    }
}

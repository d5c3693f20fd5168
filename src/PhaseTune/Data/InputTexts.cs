using PhaseTune.IO;

namespace PhaseTune.Data;

/// <summary>Texts to predict or measure: a data file's text column(s) (JSONL, CSV, TSV, Parquet, optionally .gz), or
/// any other file read as one UTF-8 text per line.</summary>
public static class InputTexts
{
    public static List<(string A, string? B)> Read(string path, string textColumn = "text") => Stream(path, textColumn).ToList();

    /// <summary>Lazily: plain text lines are read one at a time (data files are parsed whole, then handed out).</summary>
    public static IEnumerable<(string A, string? B)> Stream(string path, string textColumn = "text")
    {
        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        if (!DatasetReader.Extensions.Contains(Path.GetExtension(name).ToLowerInvariant()))
            return TextLines.Stream(path).Select(t => (t, (string?)null));
        return DatasetReader.ReadUnlabelled(path, new ColumnOptions(textColumn)).Select(e => (e.Text, e.Text2));
    }
}

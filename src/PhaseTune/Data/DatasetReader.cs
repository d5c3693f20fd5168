using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;
using Parquet.Serialization;

namespace PhaseTune.Data;

/// <summary>Reads labelled examples from JSONL, CSV, TSV or Parquet, each optionally gzip-compressed.
/// Pairs are read from `text1`/`text2` when the text column is absent; triplets (NLI style) from `text`, `positive`,
/// `negative`, with or without a label. Errors name the file and line.</summary>
public static class DatasetReader
{
    public static readonly string[] Extensions = [".jsonl", ".csv", ".tsv", ".parquet"];

    /// <summary>Reads texts for prediction: the label column may be absent (labels are then empty).</summary>
    public static List<Example> ReadUnlabelled(string path, ColumnOptions columns) => Read(path, columns, requireLabel: false);

    public static List<Example> Read(string path, ColumnOptions? columns = null) => Read(path, columns ?? new ColumnOptions(), requireLabel: true);

    static List<Example> Read(string path, ColumnOptions columns, bool requireLabel)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: data file not found");
        string name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        string ext = Path.GetExtension(name).ToLowerInvariant();
        using var raw = File.OpenRead(path);
        using Stream s = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
        var examples = ext switch
        {
            ".jsonl" or ".json" => ReadJsonl(path, s, columns, requireLabel),
            ".csv" => ReadDelimited(path, s, columns, ',', requireLabel),
            ".tsv" => ReadDelimited(path, s, columns, '\t', requireLabel),
            ".parquet" => ReadParquet(path, s, columns, requireLabel),
            _ => throw new NotSupportedException($"{path}: unknown data format '{ext}' (jsonl, csv, tsv, parquet; optionally .gz)"),
        };
        if (examples.Count == 0) throw new InvalidDataException($"{path}: no examples (empty file)");
        return examples;
    }

    static List<Example> ReadJsonl(string path, Stream s, ColumnOptions c, bool requireLabel)
    {
        var list = new List<Example>();
        using var reader = new StreamReader(s, new UTF8Encoding(false, true));
        int lineNo = 0;
        string? line;
        try
        {
            while ((line = reader.ReadLine()) is not null)
            {
                lineNo++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                JsonObject o;
                try { o = JsonNode.Parse(line, null, StrictJson.Document) as JsonObject ?? throw new JsonException("not a JSON object"); }
                catch (JsonException e) { throw new InvalidDataException($"{path}:{lineNo}: malformed JSON ({e.Message})"); }
                string? Field(string key) => o[key] switch
                {
                    null => null,
                    JsonValue v when v.TryGetValue<string>(out var str) => str,
                    JsonValue v => v.ToJsonString(),
                    var other => throw new InvalidDataException($"{path}:{lineNo}: \"{key}\" must be a string or number, not {other.GetValueKind()}"),
                };
                list.Add(Make(path, lineNo, Field, c, o.Select(kv => kv.Key), requireLabel));
            }
        }
        catch (DecoderFallbackException) { throw new InvalidDataException($"{path}:{lineNo + 1}: not valid UTF-8"); }
        return list;
    }

    static List<Example> ReadDelimited(string path, Stream s, ColumnOptions c, char delimiter, bool requireLabel)
    {
        var list = new List<Example>();
        using var reader = new StreamReader(s, new UTF8Encoding(false, true));
        string[]? header = null;
        try
        {
            foreach (var (line, fields) in DelimitedParser.Records(reader, delimiter, path))
            {
                if (header is null) { header = fields; continue; }
                if (fields.Length == 1 && fields[0].Length == 0) continue;   // blank line
                if (fields.Length != header.Length)
                    throw new InvalidDataException($"{path}:{line}: {fields.Length} fields, header has {header.Length}");
                string? Field(string key) => Array.IndexOf(header, key) is var i and >= 0 ? fields[i] : null;
                list.Add(Make(path, line, Field, c, header, requireLabel));
            }
        }
        catch (DecoderFallbackException) { throw new InvalidDataException($"{path}: not valid UTF-8"); }
        return list;
    }

    static List<Example> ReadParquet(string path, Stream s, ColumnOptions c, bool requireLabel)
    {
        var mem = new MemoryStream();
        s.CopyTo(mem);
        mem.Position = 0;
        IList<Dictionary<string, object?>> rows;
        try { rows = ParquetSerializer.DeserializeUntypedAsync(mem).GetAwaiter().GetResult().Data; }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException)
        { throw new InvalidDataException($"{path}: not a readable Parquet file ({e.Message})"); }
        var list = new List<Example>(rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            string? At(string key) => row.TryGetValue(key, out var v) && v is not null ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
            list.Add(Make(path, i + 1, At, c, row.Keys, requireLabel));
        }
        return list;
    }

    static Example Make(string path, int line, Func<string, string?> field, ColumnOptions c, IEnumerable<string> available, bool requireLabel)
    {
        string where = $"{path}:{line}";
        string? text = field(c.Text), text1 = field(c.Text == "text" ? "text1" : c.Text), text2 = field(c.Text2), label = field(c.Label);
        if (field(c.Negative) is string negative) return Triplet(where, text ?? text1, field(c.Positive), negative, label, c, path, line);
        string Columns() => string.Join(", ", available);
        string first = text ?? text1
            ?? throw new InvalidDataException($"{where}: missing text column '{c.Text}' (columns: {Columns()})");
        if (string.IsNullOrWhiteSpace(first)) throw new InvalidDataException($"{where}: empty text");
        string? second = text is null ? text2 : null;
        if (text is null && text2 is null) throw new InvalidDataException($"{where}: pair has '{c.Text2}' missing (columns: {Columns()})");
        if (second is not null && string.IsNullOrWhiteSpace(second)) throw new InvalidDataException($"{where}: empty second text");
        if (!requireLabel) return new Example(first, second, label ?? "", path, line);
        if (label is null) throw new InvalidDataException($"{where}: missing label column '{c.Label}' (columns: {Columns()})");
        if (string.IsNullOrWhiteSpace(label)) throw new InvalidDataException($"{where}: empty label");
        return new Example(first, second, label, path, line);
    }

    static Example Triplet(string where, string? text, string? positive, string negative, string? label, ColumnOptions c, string path, int line)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new InvalidDataException($"{where}: triplet has no text in '{c.Text}'");
        if (string.IsNullOrWhiteSpace(positive)) throw new InvalidDataException($"{where}: triplet has no '{c.Positive}' text beside its '{c.Negative}'");
        if (string.IsNullOrWhiteSpace(negative)) throw new InvalidDataException($"{where}: empty '{c.Negative}' text");
        return new Example(text, positive, label ?? "", path, line) { Negative = negative };
    }
}

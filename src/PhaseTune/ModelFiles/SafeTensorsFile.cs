using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;
using static TorchSharp.torch;

namespace PhaseTune.ModelFiles;

/// <summary>Reader and writer for the safetensors format: u64 little-endian header length, a JSON header of
/// name → {dtype, shape, data_offsets}, then the raw little-endian data. F32, F16, BF16, I64 and U8.</summary>
public sealed class SafeTensorsFile : ICheckpoint
{
    const long MaxHeaderBytes = 100L << 20;
    static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new()
    {
        ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2), ["I64"] = (ScalarType.Int64, 8), ["U8"] = (ScalarType.Byte, 1),
    };

    public string Path { get; }
    public IReadOnlyDictionary<string, SafeTensorEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; }
    readonly long _dataStart;

    SafeTensorsFile(string path, Dictionary<string, SafeTensorEntry> entries, Dictionary<string, string> metadata, long dataStart)
    {
        Path = path; Entries = entries; Metadata = metadata; _dataStart = dataStart;
        Tensors = entries.ToDictionary(kv => kv.Key, kv => new TensorInfo(DTypes[kv.Value.DType].Type, kv.Value.Shape, kv.Value.End - kv.Value.Begin));
    }

    /// <summary>Reads and validates the header: sizes, dtypes, and every offset against the file's length.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found");
        using var fs = File.OpenRead(path);
        long fileLen = fs.Length;
        if (fileLen < 8) throw new InvalidDataException($"{path}: truncated safetensors file ({fileLen} bytes, no header length)");
        Span<byte> lenBytes = stackalloc byte[8];
        fs.ReadExactly(lenBytes);
        long headerLen = BitConverter.ToInt64(lenBytes);
        if (headerLen <= 0 || headerLen > MaxHeaderBytes)
            throw new InvalidDataException($"{path}: corrupt safetensors header length {headerLen}");
        if (8 + headerLen > fileLen)
            throw new InvalidDataException($"{path}: truncated safetensors file (header of {headerLen} bytes, file has {fileLen})");
        var headerBytes = new byte[headerLen];
        fs.ReadExactly(headerBytes);
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(headerBytes), null, StrictJson.Document) as JsonObject ?? throw new JsonException("not an object"); }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        { throw new InvalidDataException($"{path}: corrupt safetensors header (invalid JSON: {e.Message})"); }

        long dataLen = fileLen - 8 - headerLen;
        var entries = new Dictionary<string, SafeTensorEntry>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject m) foreach (var (k, v) in m) metadata[k] = v?.ToString() ?? "";
                continue;
            }
            entries[name] = ParseEntry(path, name, node, dataLen);
        }
        var sorted = entries.Values.OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw new InvalidDataException($"{path}: tensors '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap");
        return new SafeTensorsFile(path, entries, metadata, 8 + headerLen);
    }

    static SafeTensorEntry ParseEntry(string path, string name, JsonNode? node, long dataLen)
    {
        string Where() => $"{path}: tensor '{name}'";
        try
        {
            var o = node as JsonObject ?? throw new InvalidDataException($"{Where()}: entry is not an object");
            string dtype = o["dtype"]?.GetValue<string>() ?? throw new InvalidDataException($"{Where()}: no dtype");
            if (!DTypes.TryGetValue(dtype, out var dt))
                throw new InvalidDataException($"{Where()}: unsupported dtype '{dtype}' (F32, F16, BF16, I64, U8)");
            var shape = (o["shape"] as JsonArray ?? throw new InvalidDataException($"{Where()}: no shape"))
                .Select(x => x!.GetValue<long>()).ToArray();
            if (shape.Any(s => s < 0)) throw new InvalidDataException($"{Where()}: negative dimension in shape");
            var offs = (o["data_offsets"] as JsonArray ?? throw new InvalidDataException($"{Where()}: no data_offsets"))
                .Select(x => x!.GetValue<long>()).ToArray();
            if (offs.Length != 2 || offs[0] < 0 || offs[1] < offs[0])
                throw new InvalidDataException($"{Where()}: bad data_offsets [{string.Join(", ", offs)}]");
            long expected = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * dt.Size);
            if (offs[1] - offs[0] != expected)
                throw new InvalidDataException($"{Where()}: {offs[1] - offs[0]} data bytes but shape [{string.Join(", ", shape)}] of {dtype} needs {expected}");
            if (offs[1] > dataLen)
                throw new InvalidDataException($"{Where()}: data [{offs[0]}, {offs[1]}) runs past the end of the file ({dataLen} data bytes): truncated file");
            return new SafeTensorEntry(name, dtype, shape, offs[0], offs[1]);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        { throw new InvalidDataException($"{Where()}: malformed entry ({e.Message})"); }
    }

    /// <summary>Reads one tensor in its stored dtype.</summary>
    public Tensor Read(string name)
    {
        if (!Entries.TryGetValue(name, out var e)) throw new KeyNotFoundException($"{Path}: no tensor '{name}'");
        var bytes = new byte[e.End - e.Begin];
        using (var fs = File.OpenRead(Path))
        {
            fs.Seek(_dataStart + e.Begin, SeekOrigin.Begin);
            fs.ReadExactly(bytes);
        }
        var t = empty(e.Shape, DTypes[e.DType].Type);
        if (bytes.Length > 0) t.bytes = bytes;
        return t;
    }

    /// <summary>Writes tensors (sorted by name) atomically; the header is space-padded to 8-byte alignment.</summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        var meta = new JsonObject { ["format"] = "pt" };
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) meta[k] = v;
        header["__metadata__"] = meta;
        long offset = 0;
        var blobs = new List<byte[]>(items.Count);
        foreach (var (name, tensor) in items)
        {
            var dtype = DTypes.FirstOrDefault(d => d.Value.Type == tensor.dtype).Key
                ?? throw new NotSupportedException($"tensor '{name}': dtype {tensor.dtype} cannot be saved (F32, F16, BF16, I64, U8)");
            var blob = tensor.detach().cpu().contiguous().bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(tensor.shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + blob.Length),
            };
            blobs.Add(blob);
            offset += blob.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - json.Length % 8) % 8;
        AtomicFile.Write(path, s =>
        {
            s.Write(BitConverter.GetBytes((long)(json.Length + pad)));
            s.Write(json);
            for (int i = 0; i < pad; i++) s.WriteByte((byte)' ');
            foreach (var b in blobs) s.Write(b);
        });
    }
}

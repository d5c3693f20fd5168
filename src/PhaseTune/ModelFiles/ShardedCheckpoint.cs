using System.Text.Json;
using System.Text.Json.Nodes;
using PhaseTune.IO;
using static TorchSharp.torch;

namespace PhaseTune.ModelFiles;

/// <summary>A checkpoint split over several files by HF's `*.index.json` (model.safetensors.index.json or
/// pytorch_model.bin.index.json): `weight_map` names each tensor's shard, `metadata.total_size` the bytes of tensor
/// data. Opening checks that every shard lies inside the model folder and exists, that each shard holds exactly the
/// tensors the index gives it, and that total_size (when given) matches.</summary>
public sealed class ShardedCheckpoint : ICheckpoint
{
    public string Path { get; }
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; }
    readonly Dictionary<string, ICheckpoint> _shardOf;

    ShardedCheckpoint(string path, Dictionary<string, ICheckpoint> shardOf, Dictionary<string, TensorInfo> tensors)
    {
        Path = path; _shardOf = shardOf; Tensors = tensors;
    }

    /// <param name="folder">the model folder the index and its shards must lie in</param>
    /// <param name="indexName">the index file's name in <paramref name="folder"/></param>
    /// <param name="openShard">reads one shard (its path) in the shards' format</param>
    public static ShardedCheckpoint Open(SandboxedFolder folder, string indexName, Func<string, ICheckpoint> openShard)
    {
        string index = folder.File(indexName);
        if (!File.Exists(index)) throw new FileNotFoundException($"{index}: file not found");
        JsonObject root;
        try { root = JsonNode.Parse(File.ReadAllText(index), null, StrictJson.Document) as JsonObject ?? throw new JsonException("not an object"); }
        catch (JsonException e) { throw new InvalidDataException($"{index}: invalid JSON ({e.Message})"); }
        if (root["weight_map"] is not JsonObject map || map.Count == 0)
            throw new InvalidDataException($"{index}: no \"weight_map\" (tensor name → shard file) with any tensor in it");

        var keysOf = new Dictionary<string, List<string>>();     // shard name → its keys, in index order
        foreach (var (key, node) in map)
        {
            if (node is not JsonValue v || !v.TryGetValue<string>(out var shard) || shard.Length == 0)
                throw new InvalidDataException($"{index}: weight_map[\"{key}\"] is not a file name");
            if (!keysOf.TryGetValue(shard, out var keys)) keysOf[shard] = keys = [];
            keys.Add(key);
        }

        var shardOf = new Dictionary<string, ICheckpoint>();
        var tensors = new Dictionary<string, TensorInfo>();
        foreach (var (shard, keys) in keysOf)
        {
            string path = folder.File(shard, $"{index} (shard of '{keys[0]}')");
            if (!File.Exists(path))
                throw new FileNotFoundException($"{index}: shard '{shard}' (holding '{keys[0]}'{(keys.Count > 1 ? $" and {keys.Count - 1} more" : "")}) not found at {path}");
            var file = openShard(path);
            foreach (var key in keys)
            {
                if (!file.Tensors.TryGetValue(key, out var info))
                    throw new InvalidDataException($"{index}: weight_map puts '{key}' in {shard}, but {file.Path} has no such tensor");
                shardOf[key] = file;
                // a storage is shared within one file only
                tensors[key] = info.Storage is null ? info : info with { Storage = shard + ":" + info.Storage };
            }
            var own = keys.ToHashSet();
            foreach (var key in file.Tensors.Keys.Where(k => !own.Contains(k)))
                throw new InvalidDataException(map.ContainsKey(key)
                    ? $"{index}: '{key}' is in both {map[key]!.GetValue<string>()} and {shard}"
                    : $"{file.Path}: holds '{key}', which {index} does not list; the index and its shards do not belong together");
        }
        CheckTotalSize(index, root, tensors);
        return new ShardedCheckpoint(index, shardOf, tensors);
    }

    /// <summary>total_size counts every tensor's bytes, or (huggingface_hub's splitter) a shared storage's tensors once.</summary>
    static void CheckTotalSize(string index, JsonObject root, Dictionary<string, TensorInfo> tensors)
    {
        if (root["metadata"] is not JsonObject meta || meta["total_size"] is not { } node) return;
        long total = node is JsonValue v && (v.TryGetValue<long>(out long l) ? l
            : v.TryGetValue<double>(out double d) && d == Math.Floor(d) && d is >= 0 and < 9e18 ? (long)d : -1) is var t and >= 0
            ? t : throw new InvalidDataException($"{index}: metadata.total_size is {node.ToJsonString()}, not a byte count");
        long all = tensors.Values.Sum(i => i.Bytes);
        long once = tensors.Values.Where(i => i.Storage is null).Sum(i => i.Bytes)
            + tensors.Values.Where(i => i.Storage is not null).GroupBy(i => i.Storage).Sum(g => g.Max(i => i.Bytes));
        if (total != all && total != once)
            throw new InvalidDataException($"{index}: metadata.total_size is {total} bytes, but its shards hold {all} bytes of tensors; " +
                "the index and its shards do not belong together");
    }

    public Tensor Read(string name) =>
        _shardOf.TryGetValue(name, out var file) ? file.Read(name) : throw new KeyNotFoundException($"{Path}: no tensor '{name}'");
}

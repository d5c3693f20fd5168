using PhaseTune.IO;

namespace PhaseTune.ModelFiles;

/// <summary>Finds and opens a model folder's weights in the order transformers prefers them: model.safetensors,
/// model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json.</summary>
public static class CheckpointFiles
{
    public static readonly IReadOnlyList<string> Names =
        ["model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json"];

    public static ICheckpoint Open(SandboxedFolder folder)
    {
        string? name = Names.FirstOrDefault(n => File.Exists(folder.File(n)))
            ?? throw new FileNotFoundException($"{folder.Path}: no weights ({string.Join(", ", Names)})");
        return name.EndsWith(".index.json", StringComparison.Ordinal)
            ? ShardedCheckpoint.Open(folder, name, OpenShard)
            : OpenFile(folder.File(name));
    }

    /// <summary>One weights file by its name: safetensors, torch.save (.bin, .pt, .pth), or a sharded index (whose
    /// shards must lie in the index's folder).</summary>
    public static ICheckpoint OpenFile(string path)
    {
        if (path.EndsWith(".index.json", StringComparison.Ordinal))
            return ShardedCheckpoint.Open(new SandboxedFolder(Path.GetDirectoryName(Path.GetFullPath(path))!), Path.GetFileName(path), OpenShard);
        return path.EndsWith(".safetensors", StringComparison.Ordinal) ? SafeTensorsFile.Open(path) : TorchCheckpoint.Open(path);
    }

    /// <summary>A shard is a weights file, never another index (an index naming itself would never end).</summary>
    static ICheckpoint OpenShard(string path) => path.EndsWith(".index.json", StringComparison.Ordinal)
        ? throw new InvalidDataException($"{path}: an index cannot be a shard of another index")
        : OpenFile(path);
}

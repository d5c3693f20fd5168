using System.IO.Compression;
using System.Numerics;
using System.Text;
using static TorchSharp.torch;

namespace PhaseTune.ModelFiles;

/// <summary>pytorch_model.bin as torch.save (≥ 1.6) writes it, read without executing anything: a zip holding
/// `&lt;folder&gt;/data.pkl` (the state dict, pickled) and one `&lt;folder&gt;/data/&lt;key&gt;` file of raw little-endian
/// numbers per storage. The pickle is read by <see cref="RestrictedUnpickler"/>, which accepts only the globals a
/// state dict needs: OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter and the storage types; each
/// tensor becomes a view (storage, offset, shape, strides) that is checked against its storage's size.</summary>
public sealed class TorchCheckpoint : ICheckpoint
{
    const long MaxPickleBytes = 256L << 20;

    /// <summary>The number torch's pre-1.6 format pickles first.</summary>
    static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356");

    static readonly Dictionary<string, (ScalarType Type, int Size)> StorageTypes = new()
    {
        ["torch.FloatStorage"] = (ScalarType.Float32, 4), ["torch.HalfStorage"] = (ScalarType.Float16, 2),
        ["torch.BFloat16Storage"] = (ScalarType.BFloat16, 2), ["torch.DoubleStorage"] = (ScalarType.Float64, 8),
        ["torch.LongStorage"] = (ScalarType.Int64, 8), ["torch.IntStorage"] = (ScalarType.Int32, 4),
        ["torch.ShortStorage"] = (ScalarType.Int16, 2), ["torch.CharStorage"] = (ScalarType.Int8, 1),
        ["torch.ByteStorage"] = (ScalarType.Byte, 1), ["torch.BoolStorage"] = (ScalarType.Bool, 1),
    };

    sealed record Storage(string Key, ScalarType Type, int ElementSize, long Numel);

    sealed record View(Storage Storage, long Offset, long[] Shape, long[] Stride)
    {
        /// <summary>Elements from the offset to the view's last element (0 for an empty tensor).</summary>
        public long Extent => Shape.Any(s => s == 0) ? 0 : 1 + Shape.Zip(Stride, (n, s) => checked((n - 1) * s)).Sum();
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; }
    readonly Dictionary<string, View> _views;
    readonly string _folder;

    TorchCheckpoint(string path, string folder, Dictionary<string, View> views)
    {
        Path = path; _folder = folder; _views = views;
        Tensors = views.ToDictionary(kv => kv.Key, kv => new TensorInfo(kv.Value.Storage.Type, kv.Value.Shape,
            kv.Value.Shape.Aggregate(1L, (a, b) => a * b) * kv.Value.Storage.ElementSize, kv.Value.Storage.Key));
    }

    /// <summary>Reads and checks the archive's directory and pickle, and every tensor against its storage; no tensor
    /// data is read yet.</summary>
    public static TorchCheckpoint Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found");
        using (var fs = File.OpenRead(path))
        {
            var magic = new byte[4];
            int n = fs.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
            if (n < 4 || magic[0] != (byte)'P' || magic[1] != (byte)'K' || magic[2] != 3 || magic[3] != 4)
                throw NotAZip(path, fs);
        }
        using var zip = OpenZip(path);
        var pickle = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
            ?? throw new InvalidDataException($"{path}: a zip without <folder>/data.pkl, so not a torch.save checkpoint");
        string folder = pickle.FullName[..^"data.pkl".Length];
        if (zip.GetEntry(folder + "byteorder") is { } order && ReadAll(path, order, 16) is var bo && Encoding.ASCII.GetString(bo) != "little")
            throw new NotSupportedException($"{path}: saved on a '{Encoding.ASCII.GetString(bo)}'-endian machine; PhaseTune reads little-endian checkpoints");
        string where = $"{path} ({pickle.FullName})";
        var views = ReadStateDict(ReadAll(path, pickle, MaxPickleBytes), where);
        foreach (var s in views.Values.Select(v => v.Storage).Distinct())
        {
            var entry = zip.GetEntry(folder + "data/" + s.Key)
                ?? throw new InvalidDataException($"{path}: storage '{s.Key}' has no {folder}data/{s.Key} in the archive");
            if (entry.Length > entry.CompressedLength)   // torch stores storages as they are; a deflated one could claim any size
                throw new InvalidDataException($"{path}: {entry.FullName} is compressed, which torch.save never does; refusing it");
            if (entry.Length != s.Numel * s.ElementSize)
                throw new InvalidDataException($"{path}: {entry.FullName} holds {entry.Length} bytes, but the pickle describes " +
                    $"{s.Numel} {s.Type} numbers ({s.Numel * s.ElementSize} bytes)");
        }
        return new TorchCheckpoint(path, folder, views);
    }

    /// <summary>The pickled state dict as views, every one inside its storage.</summary>
    static Dictionary<string, View> ReadStateDict(byte[] pickle, string where)
    {
        var storages = new Dictionary<string, Storage>();
        var callables = new Dictionary<string, Func<object?[], object?>>
        {
            ["collections.OrderedDict"] = args => args.Length == 0 ? new RestrictedUnpickler.Dict()
                : throw new InvalidDataException($"{where}: OrderedDict called with {args.Length} arguments"),
            ["torch._utils._rebuild_tensor_v2"] = args => Rebuild(args, where),
            ["torch._utils._rebuild_parameter"] = args => args.Length >= 1 && args[0] is View v ? v
                : throw new InvalidDataException($"{where}: _rebuild_parameter without a tensor"),
        };
        var (value, _) = RestrictedUnpickler.Load(pickle, 0, where, callables, StorageTypes.Keys.ToHashSet(), pid => Persistent(pid, storages, where));
        if (value is not RestrictedUnpickler.Dict dict)
            throw new InvalidDataException($"{where}: holds a pickled {RestrictedUnpickler.Describe(value)}, not a state dict (name → tensor)");
        var views = new Dictionary<string, View>();
        foreach (var (k, v) in dict.Items)
        {
            if (k is not string key) throw new InvalidDataException($"{where}: a state dict key is a {RestrictedUnpickler.Describe(k)}, not a string");
            if (v is not View view) throw new InvalidDataException($"{where}: '{key}' is a {RestrictedUnpickler.Describe(v)}, not a tensor");
            if (!views.TryAdd(key, view)) throw new InvalidDataException($"{where}: '{key}' appears twice");
        }
        return views;
    }

    /// <summary>torch's persistent id for a storage: ('storage', storage type, key, location, numel).</summary>
    static Storage Persistent(object? pid, Dictionary<string, Storage> storages, string where)
    {
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage" || t[1] is not RestrictedUnpickler.Global type
            || t[2] is not string key || t[3] is not string || t[4] is not long numel
            || !StorageTypes.TryGetValue(type.ToString(), out var dt) || numel < 0 || numel > long.MaxValue / dt.Size)
            throw new InvalidDataException($"{where}: a persistent id that is not ('storage', type, key, location, numel)");
        var s = new Storage(key, dt.Type, dt.Size, numel);
        if (storages.TryGetValue(key, out var seen) && seen != s)
            throw new InvalidDataException($"{where}: storage '{key}' is described twice, as {seen.Numel} {seen.Type} and as {numel} {dt.Type}");
        return storages[key] = s;
    }

    /// <summary>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).</summary>
    static View Rebuild(object?[] a, string where)
    {
        if (a.Length is < 6 or > 7 || a[0] is not Storage storage || a[1] is not long offset || a[2] is not object?[] size
            || a[3] is not object?[] stride || size.Length != stride.Length || a[4] is not bool)
            throw new InvalidDataException($"{where}: _rebuild_tensor_v2 called with arguments that are not (storage, offset, size, stride, requires_grad, hooks)");
        long[] Longs(object?[] xs) => xs.Select(x => x is long l and >= 0 ? l
            : throw new InvalidDataException($"{where}: a tensor's size or stride holds {RestrictedUnpickler.Describe(x)}")).ToArray();
        var view = new View(storage, offset, Longs(size), Longs(stride));
        try
        {
            if (offset < 0 || checked(offset + view.Extent) > storage.Numel && view.Extent > 0)
                throw new InvalidDataException($"{where}: a tensor of shape [{string.Join(", ", view.Shape)}], strides [{string.Join(", ", view.Stride)}] " +
                    $"at offset {offset} runs past its storage '{storage.Key}' of {storage.Numel} numbers");
        }
        catch (OverflowException) { throw new InvalidDataException($"{where}: a tensor's shape and strides overflow"); }
        return view;
    }

    public Tensor Read(string name)
    {
        if (!_views.TryGetValue(name, out var v)) throw new KeyNotFoundException($"{Path}: no tensor '{name}'");
        if (v.Extent == 0) return empty(v.Shape, v.Storage.Type);
        using var zip = OpenZip(Path);
        var entry = zip.GetEntry(_folder + "data/" + v.Storage.Key) ?? throw new InvalidDataException($"{Path}: storage '{v.Storage.Key}' disappeared");
        var bytes = new byte[v.Extent * v.Storage.ElementSize];
        try
        {
            using var s = entry.Open();
            long skip = v.Offset * v.Storage.ElementSize;
            if (s.CanSeek) s.Seek(skip, SeekOrigin.Begin);
            else for (var scratch = new byte[81920]; skip > 0; skip -= scratch.Length)
                s.ReadExactly(scratch, 0, (int)Math.Min(skip, scratch.Length));
            s.ReadExactly(bytes);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        { throw new InvalidDataException($"{Path}: tensor '{name}': {entry.FullName} could not be read whole ({e.Message}): truncated or corrupt file"); }
        var flat = empty([v.Extent], v.Storage.Type);
        flat.bytes = bytes;
        return flat.as_strided(v.Shape, v.Stride).contiguous();
    }

    static ZipArchive OpenZip(string path)
    {
        var fs = File.OpenRead(path);
        try { return new ZipArchive(fs, ZipArchiveMode.Read); }
        catch (InvalidDataException e)
        {
            fs.Dispose();
            throw new InvalidDataException($"{path}: truncated or corrupt zip archive ({e.Message})");
        }
    }

    static byte[] ReadAll(string path, ZipArchiveEntry entry, long max)
    {
        if (entry.Length > max) throw new InvalidDataException($"{path}: {entry.FullName} is {entry.Length} bytes, more than the {max} accepted");
        var bytes = new byte[entry.Length];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(bytes);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        { throw new InvalidDataException($"{path}: {entry.FullName} could not be read whole ({e.Message}): truncated or corrupt file"); }
        return bytes;
    }

    /// <summary>Why a file that is not a zip is refused: torch's legacy format gets advice; a bare pickle is read
    /// (restricted) far enough to name a global it would call.</summary>
    static Exception NotAZip(string path, FileStream fs)
    {
        fs.Position = 0;
        var head = new byte[(int)Math.Min(fs.Length, 1 << 20)];
        fs.ReadExactly(head);
        if (head.Length == 0 || head[0] != 0x80)
            return new InvalidDataException($"{path}: neither a zip archive (torch.save's format since PyTorch 1.6) nor a pickle");
        var (value, _) = RestrictedUnpickler.Load(head, 0, path, new Dictionary<string, Func<object?[], object?>>(),
            StorageTypes.Keys.ToHashSet(), _ => throw new InvalidDataException($"{path}: a bare pickle that refers to storages outside it"));
        if (value is BigInteger b && b == LegacyMagic)
            return new NotSupportedException($"{path}: saved in PyTorch's legacy format (torch.save before 1.6, or " +
                "_use_new_zipfile_serialization=False), which PhaseTune does not read. Convert it once with Python, e.g. " +
                "sd = torch.load(path, weights_only=True); safetensors.torch.save_file(sd, 'model.safetensors') " +
                "(or torch.save(sd, path) for the zip format)");
        return new InvalidDataException($"{path}: a bare pickle holding a {RestrictedUnpickler.Describe(value)}, not a torch.save checkpoint (a zip archive)");
    }
}

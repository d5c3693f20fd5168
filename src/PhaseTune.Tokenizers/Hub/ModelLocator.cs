using System.Collections.Concurrent;

namespace PhaseTune.Hub;

/// <summary>Turns what a user gives as a model — a folder, or a Hub name `org/name[@revision]` — into a local folder.
/// Every command's model goes through <see cref="Locate"/>. A Hub model is read from huggingface_hub's cache
/// (Python's downloads are found, and PhaseTune's are Python's), after fetching only the files a model needs
/// (<see cref="HubFileSelection"/>). A snapshot is returned only once every file in it is whole and checked.</summary>
public static class ModelLocator
{
    static HubOptions? _defaults;
    static readonly ConcurrentDictionary<(string Model, HubOptions Options), string> Located = new();

    /// <summary>The options names resolve with when none are given: the environment's (the CLI adds its progress bar).</summary>
    public static HubOptions Defaults
    {
        get => _defaults ??= HubOptions.FromEnvironment();
        set => _defaults = value;
    }

    /// <summary>The folder to read <paramref name="model"/> from. A path that exists always wins over a Hub name, and
    /// `scratch:` presets and anything that is not a Hub name come back as given (for the caller to report). A name
    /// resolves once per process, so one command reads one commit throughout.</summary>
    public static string Locate(string model, HubOptions? options = null)
    {
        if (model.StartsWith("scratch:", StringComparison.Ordinal) || Path.Exists(model) || !HubModelName.TryParse(model, out var name)) return model;
        var o = options ?? Defaults;
        var key = (model, o with { Progress = null });
        if (Located.TryGetValue(key, out var folder)) return folder;
        return Located[key] = Snapshot(name, o);
    }

    /// <summary>The snapshot folder of a Hub model, downloading what the cache lacks. Offline (HF_HUB_OFFLINE), and for
    /// a commit hash the cache already holds whole, no request is made.</summary>
    public static string Snapshot(HubModelName name, HubOptions options)
    {
        var cache = new HubCache(options.CacheDir, name);
        if (options.Offline)
            return Cached(cache, out string why) ?? throw new HubException(
                $"{name}: HF_HUB_OFFLINE is set and the cache has no whole copy of it ({why}); run once with a connection (HF_HUB_OFFLINE unset) to download it");
        if (name.RevisionIsCommit && Cached(cache, out _) is string pinned) return pinned;
        using var client = new HubClient(options);
        try
        {
            var (commit, files) = client.Listing(name);
            var selected = HubFileSelection.Select(files, f =>
            {
                Fetch(client, cache, commit, f);
                return File.ReadAllText(cache.SnapshotFile(commit, f));
            });
            foreach (var f in selected) Fetch(client, cache, commit, f);
            if (HubFileSelection.Missing(f => cache.HasFile(commit, f), f => File.ReadAllText(cache.SnapshotFile(commit, f))) is string missing)
                throw new HubException($"{name}: the repository has no {missing} at commit {commit}, so it is no model PhaseTune can load (files: {string.Join(", ", files.Order().Take(20))})");
            cache.WriteRef(name.Revision, commit);
            return cache.Snapshot(commit);
        }
        catch (HubException e) when (e.Unreachable)
        {
            string? cached = Cached(cache, out _);
            string detail = e.Message.StartsWith($"{name}: ", StringComparison.Ordinal) ? e.Message[(name.ToString().Length + 2)..] : e.Message;
            throw new HubException($"{name}: no local folder of that name, and the Hub cannot be reached (offline?): {detail}; " + (cached is null
                ? $"no whole copy of {name} is in the cache {options.CacheDir}"
                : $"a cached copy of {name} exists ({cached}): set HF_HUB_OFFLINE=1 to use it"), e, unreachable: true);
        }
    }

    /// <summary>The cached snapshot of the name's revision if it has every file a model needs, else null and why.</summary>
    static string? Cached(HubCache cache, out string why)
    {
        string? commit = cache.CommitOf(cache.Name.Revision);
        if (commit is null || !Directory.Exists(cache.Snapshot(commit)))
        {
            why = $"no snapshot of revision '{cache.Name.Revision}' in {cache.RepoDir}";
            return null;
        }
        string? missing = HubFileSelection.Missing(f => cache.HasFile(commit, f), f => File.ReadAllText(cache.SnapshotFile(commit, f)));
        why = missing is null ? "" : $"{cache.Snapshot(commit)} lacks {missing}";
        return missing is null ? cache.Snapshot(commit) : null;
    }

    /// <summary>Puts one file into the snapshot: its blob is downloaded (under huggingface_hub's lock for it) into
    /// blobs/&lt;etag&gt;.incomplete, checked, renamed to blobs/&lt;etag&gt;, then linked.</summary>
    static void Fetch(HubClient client, HubCache cache, string commit, string file)
    {
        if (cache.HasFile(commit, file)) return;
        var meta = client.Metadata(cache.Name, commit, file);
        string blob = cache.Blob(meta.Etag);
        if (!HubCache.Exists(blob))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
            using (Lock(cache.Lock(meta.Etag)))
            {
                if (!HubCache.Exists(blob))
                {
                    string partial = cache.Incomplete(meta.Etag);
                    client.Download(cache.Name, meta, partial);
                    File.Move(partial, blob);
                }
            }
        }
        cache.Link(commit, file, meta.Etag);
    }

    /// <summary>An exclusive lock on a lock file; .NET takes it with flock, as Python's filelock does, so a Python
    /// download of the same blob waits for this one and the other way round.</summary>
    static FileStream Lock(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(200); }
            catch (IOException e) { throw new HubException($"{path}: still locked by another download after 10 minutes", e); }
        }
    }
}

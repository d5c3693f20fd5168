using System.Text.RegularExpressions;
using PhaseTune.IO;

namespace PhaseTune.Hub;

/// <summary>One repository's folder in the hub cache, in huggingface_hub's layout, so Python and PhaseTune share it:
/// `blobs/&lt;etag&gt;` (a file's bytes, named by its ETag: the sha256 of an LFS file, the git blob id of another),
/// `blobs/&lt;etag&gt;.incomplete` (a download in progress, kept to resume), `snapshots/&lt;commit&gt;/&lt;path&gt;`
/// (relative symbolic links to the blobs), `refs/&lt;revision&gt;` (the commit a branch or tag pointed to), and the
/// lock files `&lt;cache&gt;/.locks/models--org--name/&lt;etag&gt;.lock`.</summary>
public sealed partial class HubCache(string cacheDir, HubModelName name)
{
    public HubModelName Name { get; } = name;
    public string RepoDir { get; } = Path.Combine(cacheDir, name.CacheFolder);

    public string Blob(string etag) => Path.Combine(RepoDir, "blobs", CheckEtag(etag));
    public string Incomplete(string etag) => Blob(etag) + ".incomplete";
    public string Lock(string etag) => Path.Combine(cacheDir, ".locks", Name.CacheFolder, CheckEtag(etag) + ".lock");
    public string Snapshot(string commit) => Path.Combine(RepoDir, "snapshots", CheckCommit(commit));
    public string SnapshotFile(string commit, string file) => Path.Combine(Snapshot(commit), CheckRepoPath(file));
    string RefFile(string revision) => Path.Combine(RepoDir, "refs", Path.Combine(revision.Split('/')));

    /// <summary>The commit a revision stands for here: itself when it is a commit hash, else what refs/ recorded.</summary>
    public string? CommitOf(string revision)
    {
        if (HubModelName.IsCommitHash(revision)) return revision;
        string path = RefFile(revision);
        if (!File.Exists(path)) return null;
        string commit = File.ReadAllText(path).Trim();
        return HubModelName.IsCommitHash(commit) ? commit : throw new InvalidDataException($"{path}: not a commit hash");
    }

    /// <summary>Records the commit a branch or tag resolved to (written whole, as huggingface_hub does).</summary>
    public void WriteRef(string revision, string commit)
    {
        if (revision == commit || CommitOf(revision) == commit) return;
        AtomicFile.WriteAllText(RefFile(revision), CheckCommit(commit));
    }

    /// <summary>Points snapshots/&lt;commit&gt;/&lt;file&gt; at a whole blob by a relative link (a copy where the file
    /// system has no links), made beside it and renamed into place so a reader never sees a half-made link.</summary>
    public void Link(string commit, string file, string etag)
    {
        string target = SnapshotFile(commit, file), blob = Blob(etag);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string tmp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            try { File.CreateSymbolicLink(tmp, Path.GetRelativePath(Path.GetDirectoryName(target)!, blob)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException) { File.Copy(blob, tmp); }
            File.Move(tmp, target, overwrite: true);
        }
        finally { File.Delete(tmp); }
    }

    /// <summary>Whether the snapshot's file is there and leads to a whole blob (a dangling link counts as absent).</summary>
    public bool HasFile(string commit, string file) => Exists(SnapshotFile(commit, file));

    /// <summary>File.Exists is true for a dangling link; this follows links to the end.</summary>
    public static bool Exists(string path) =>
        File.Exists(path) && (new FileInfo(path).LinkTarget is null || File.ResolveLinkTarget(path, returnFinalTarget: true) is { Exists: true });

    /// <summary>An ETag names a file on disk: anything but a plain name (a server sending `../x`) is refused.</summary>
    public static string CheckEtag(string etag) =>
        Etag().IsMatch(etag) ? etag : throw new InvalidDataException($"the Hub sent the ETag '{etag}', which is not a plain file name");

    static string CheckCommit(string commit) =>
        HubModelName.IsCommitHash(commit) ? commit : throw new InvalidDataException($"'{commit}' is not a commit hash");

    /// <summary>A path inside a repository as the Hub lists it (`1_Pooling/config.json`), checked to stay inside the
    /// snapshot, in the platform's separators.</summary>
    public static string CheckRepoPath(string file)
    {
        var parts = file.Split('/');
        if (file.Length == 0 || file.Contains('\\') || parts.Any(p => p.Length == 0 || p == "." || p == ".." || p.Any(char.IsControl)) || Path.IsPathRooted(file))
            throw new InvalidDataException($"the repository lists the file '{file}', which is not a plain relative path");
        return Path.Combine(parts);
    }

    [GeneratedRegex(@"^(?!\.\.?$)[A-Za-z0-9._\-]{1,128}$")]
    private static partial Regex Etag();
}

namespace PhaseTune.IO;

/// <summary>A folder whose files may only refer to files inside it: a model downloaded from anywhere must not make
/// PhaseTune read /etc/passwd through a `../` path in modules.json or a symbolic link.</summary>
public sealed class SandboxedFolder
{
    readonly string _real;

    public string Path { get; }

    public SandboxedFolder(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: model directory not found");
        Path = path;
        _real = HubRepository(PathGuard.RealPath(path));
    }

    /// <summary>A Hub cache snapshot (`models--org--name/snapshots/&lt;commit&gt;`) holds links to its repository's
    /// `blobs/`, so there the repository folder is the boundary.</summary>
    static string HubRepository(string real)
    {
        string? snapshots = System.IO.Path.GetDirectoryName(real), repo = snapshots is null ? null : System.IO.Path.GetDirectoryName(snapshots);
        return repo is not null && System.IO.Path.GetFileName(snapshots) == "snapshots" && System.IO.Path.GetFileName(repo).StartsWith("models--", StringComparison.Ordinal)
            ? repo : real;
    }

    /// <summary>The path of <paramref name="relative"/> in the folder (it need not exist); an absolute path, or one
    /// that resolves outside the folder after following links, is refused naming <paramref name="referredBy"/>.</summary>
    public string File(string relative, string? referredBy = null)
    {
        string who = referredBy ?? System.IO.Path.Combine(Path, relative);
        if (System.IO.Path.IsPathRooted(relative))
            throw new InvalidDataException($"{who}: refers to the absolute path '{relative}'; a model folder's files must lie inside it");
        string combined = System.IO.Path.Combine(Path, relative);
        string real = PathGuard.RealPath(combined);
        if (!PathGuard.IsInside(real, _real))
            throw new InvalidDataException($"{who}: '{relative}' resolves to {real}, outside the model folder {Path}");
        return combined;
    }

    /// <summary>A sub-folder (a sentence-transformers module) under the same rule.</summary>
    public SandboxedFolder Folder(string relative, string? referredBy = null) => new(File(relative, referredBy), _real);

    SandboxedFolder(string path, string outerReal)
    {
        Path = path;
        _real = outerReal;
    }
}

namespace PhaseTune.IO;

/// <summary>Path checks that keep a command from destroying what it reads: real paths (every symbolic link resolved)
/// and a refusal, before any work, of an output that is an input or overlaps an input folder.</summary>
public static class PathGuard
{
    /// <summary>The absolute path with every symbolic link along it resolved; parts that do not exist yet are kept as
    /// given (an output file about to be written).</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        string root = Path.GetPathRoot(full)!;
        var pending = new List<string>(Split(full[root.Length..]));
        string current = root;
        int links = 0;
        while (pending.Count > 0)
        {
            string next = Path.Combine(current, pending[0]);
            pending.RemoveAt(0);
            if (new FileInfo(next).LinkTarget is string target)
            {
                if (++links > 40) throw new IOException($"{path}: too many levels of symbolic links");
                string resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                root = Path.GetPathRoot(resolved)!;
                pending.InsertRange(0, Split(resolved[root.Length..]));
                current = root;
                continue;
            }
            current = next;
        }
        return current;
    }

    static string[] Split(string relative) =>
        relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);

    static readonly StringComparison Case = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
        ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or lies below it (both real paths).</summary>
    public static bool IsInside(string path, string folder)
    {
        string f = Path.TrimEndingDirectorySeparator(folder), p = Path.TrimEndingDirectorySeparator(path);
        return p.Equals(f, Case) || p.StartsWith(f + Path.DirectorySeparatorChar, Case);
    }

    /// <summary>Refuses an output file that is one of the inputs or lies inside an input folder. Each path comes with
    /// the flag that named it, for the error.</summary>
    public static void CheckOutput((string Flag, string Path) output, params (string Flag, string? Path)[] inputs) =>
        CheckOutputFolder(output, [], inputs);

    /// <summary>Refuses an output folder that is an input, lies inside an input folder, or would overwrite an input with
    /// one of the entries it <paramref name="writes"/> (names in the folder; "seed-*" matches by prefix).</summary>
    public static void CheckOutputFolder((string Flag, string Path) output, IReadOnlyList<string> writes, params (string Flag, string? Path)[] inputs)
    {
        string o = RealPath(output.Path);
        foreach (var (flag, path) in inputs)
        {
            if (path is null || !(File.Exists(path) || Directory.Exists(path))) continue;
            string i = RealPath(path);
            string? problem = o.Equals(i, Case) ? "is the same as"
                : IsInside(o, i) ? "lies inside"
                : IsInside(i, o) && Overwrites(Path.GetRelativePath(o, i), writes) ? "would overwrite" : null;
            if (problem is not null)
                throw new ArgumentException($"{output.Flag} {output.Path} {problem} {flag} {path}; refusing to write where the input is read (choose another {output.Flag})");
        }
    }

    static bool Overwrites(string relative, IReadOnlyList<string> writes)
    {
        string first = Split(relative)[0];
        return writes.Any(w => w.EndsWith('*') ? first.StartsWith(w[..^1], Case) : first.Equals(w, Case));
    }
}

namespace PhaseTune.IO;

/// <summary>Builds a directory beside its target and renames it into place, so readers see the old or the
/// new directory whole, never a half-written one.</summary>
public static class AtomicDirectory
{
    public static void Write(string directory, Action<string> fill)
    {
        string full = Path.GetFullPath(directory);
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        try
        {
            fill(tmp);
            string? old = null;
            if (Directory.Exists(full))
            {
                old = Path.Combine(parent, $".{Path.GetFileName(full)}.old-{Guid.NewGuid():N}");
                Directory.Move(full, old);
            }
            Directory.Move(tmp, full);
            if (old is not null) Directory.Delete(old, recursive: true);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
            throw;
        }
    }
}

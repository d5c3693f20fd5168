namespace PhaseTune.IO;

/// <summary>An exclusive lock on a run's output folder (DIR/.phasetune.lock), held while the run writes there, so a
/// second run on the same folder stops at once instead of overwriting the first one's checkpoints and logs. The lock
/// is the operating system's (flock on Unix, a sharing mode on Windows): it dies with its process, so the lock of a
/// killed run is taken over by the next one; a file beside it names the holder's process id for the error.</summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".phasetune.lock";
    /// <summary>Beside the lock, the holder's process id: .NET takes the lock on every open of the lock file, so
    /// another process could not read it there.</summary>
    public const string PidFileName = ".phasetune.lock.pid";
    readonly FileStream _stream;

    RunLock(FileStream stream) => _stream = stream;

    public static RunLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        FileStream stream;
        try { stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            throw new IOException($"{directory} is in use by another PhaseTune run{Holder(directory)}; wait for it to finish or use another --out");
        }
        AtomicFile.WriteAllText(Path.Combine(directory, PidFileName), Environment.ProcessId.ToString());
        return new RunLock(stream);
    }

    /// <summary>" (process N)" when the holder wrote its id.</summary>
    static string Holder(string directory)
    {
        try { return int.TryParse(File.ReadAllText(Path.Combine(directory, PidFileName)).Trim(), out var pid) ? $" (process {pid})" : ""; }
        catch (IOException) { return ""; }
    }

    /// <summary>Releases the lock. The file stays: deleting it could let two later runs lock two different files.</summary>
    public void Dispose() => _stream.Dispose();
}

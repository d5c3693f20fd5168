using PhaseTune.Hub;

namespace PhaseTune.Cli.Commands;

/// <summary>Hub downloads on stderr: a bar redrawn in place on a terminal, one line per file when redirected.</summary>
public sealed class DownloadBar : IProgress<DownloadProgress>
{
    string? _current;

    public void Report(DownloadProgress p)
    {
        string name = $"{p.Repo}/{p.File}";
        bool first = name != _current, done = p.Done >= p.Total;
        _current = name;
        if (Console.IsErrorRedirected)
        {
            if (first) Console.Error.WriteLine($"phasetune: downloading {name} ({Size(p.Total)})");
            return;
        }
        const int width = 30;
        int filled = p.Total == 0 ? width : (int)(width * p.Done / p.Total);
        Console.Error.Write($"\r{name} [{new string('#', filled)}{new string('-', width - filled)}] {(p.Total == 0 ? 100 : 100 * p.Done / p.Total),3}% {Size(p.Done)}/{Size(p.Total)}   ");
        if (done) Console.Error.WriteLine();
    }

    static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes / 1048576.0:F1} MB" : $"{bytes / 1024.0:F1} kB";
}

namespace PhaseTune.Hub;

/// <summary>A file's download so far: <paramref name="Done"/> of <paramref name="Total"/> bytes (a resumed download
/// starts at the bytes it kept).</summary>
public readonly record struct DownloadProgress(string Repo, string File, long Done, long Total);

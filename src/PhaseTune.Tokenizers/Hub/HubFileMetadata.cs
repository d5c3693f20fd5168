namespace PhaseTune.Hub;

/// <summary>What the resolve endpoint says of a file: its commit, its ETag (the sha256 for an LFS file, from
/// X-Linked-Etag), its size (X-Linked-Size or Content-Length) and where its bytes are (the redirect's Location for
/// an LFS file).</summary>
public sealed record HubFileMetadata(string File, string Commit, string Etag, long Size, Uri Location)
{
    /// <summary>An LFS file's ETag is its sha256, so its bytes can be checked against it.</summary>
    public bool EtagIsSha256 => Etag.Length == 64 && Etag.All(Uri.IsHexDigit);
}

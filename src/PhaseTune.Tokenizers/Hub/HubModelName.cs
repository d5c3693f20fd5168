using System.Text.RegularExpressions;

namespace PhaseTune.Hub;

/// <summary>A model named on the Hub: `org/name` with an optional `@revision` (a branch, a tag, `refs/pr/N`, or a
/// commit hash; default `main`).</summary>
public sealed partial record HubModelName(string Repo, string Revision)
{
    public const string DefaultRevision = "main";

    /// <summary>The repository's folder in the cache, as huggingface_hub names it.</summary>
    public string CacheFolder => "models--" + Repo.Replace("/", "--");

    public bool RevisionIsCommit => IsCommitHash(Revision);

    public override string ToString() => Revision == DefaultRevision ? Repo : $"{Repo}@{Revision}";

    public static bool IsCommitHash(string s) => CommitHash().IsMatch(s);

    /// <summary>Whether <paramref name="text"/> is a Hub name. Only the Hub's own name rules are accepted (one `/`, each
    /// part letters, digits, `-`, `_`, `.`, at most 96 characters, no `--` or `..`, not starting or ending in `-` or
    /// `.`), so paths such as `./x`, `a/b/c` or `~/m` never are.</summary>
    public static bool TryParse(string text, out HubModelName name)
    {
        name = null!;
        int at = text.IndexOf('@');
        string repo = at < 0 ? text : text[..at], revision = at < 0 ? DefaultRevision : text[(at + 1)..];
        var parts = repo.Split('/');
        if (parts.Length != 2 || !parts.All(IsNamePart) || !IsRevision(revision)) return false;
        name = new HubModelName(repo, revision);
        return true;
    }

    static bool IsNamePart(string p) => p.Length is > 0 and <= 96 && NamePart().IsMatch(p) && !p.Contains("--") && !p.Contains("..")
        && p[0] is not ('-' or '.') && p[^1] is not ('-' or '.');

    /// <summary>A revision becomes a path under refs/, so it must stay a plain relative path.</summary>
    static bool IsRevision(string r) => r.Length is > 0 and <= 255 && !r.Contains('\\') && !r.Contains('@')
        && r.Split('/').All(s => s.Length > 0 && s != "." && s != ".." && !s.Any(char.IsControl));

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitHash();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$")]
    private static partial Regex NamePart();
}

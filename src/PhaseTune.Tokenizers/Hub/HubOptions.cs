namespace PhaseTune.Hub;

/// <summary>How to reach the Hugging Face Hub and where its cache lies. <see cref="FromEnvironment"/> reads the
/// variables Python's huggingface_hub reads, so both share one cache; tests build options directly instead of
/// changing the process environment.</summary>
/// <param name="Endpoint">the Hub's base URL (HF_ENDPOINT)</param>
/// <param name="Token">sent as `Authorization: Bearer` to the endpoint only, never to the storage a file redirects to</param>
/// <param name="CacheDir">the hub cache: `models--org--name/{blobs,snapshots,refs}` live under it</param>
/// <param name="Offline">HF_HUB_OFFLINE: no request at all, the cache only</param>
/// <param name="MaxRetries">retries of a request after a 5xx, 408, 429 or a dropped connection</param>
/// <param name="RetryDelay">the first wait before a retry; each further wait doubles it</param>
/// <param name="Timeout">how long a connection or a read may stall</param>
/// <param name="Progress">bytes of each file as it downloads (not part of the options' identity)</param>
public sealed record HubOptions(
    string Endpoint, string? Token, string CacheDir, bool Offline = false,
    int MaxRetries = 5, TimeSpan? RetryDelay = null, TimeSpan? Timeout = null, IProgress<DownloadProgress>? Progress = null)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    public TimeSpan FirstRetryDelay => RetryDelay ?? TimeSpan.FromSeconds(1);
    public TimeSpan StallTimeout => Timeout ?? TimeSpan.FromSeconds(30);

    /// <summary>The options huggingface_hub would use in an environment: HF_ENDPOINT; HF_TOKEN, else the token
    /// `huggingface-cli login` stored (HF_TOKEN_PATH, else $HF_HOME/token); HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE,
    /// else $HF_HOME/hub with HF_HOME defaulting to $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface;
    /// HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE (1, true, yes, on).</summary>
    /// <param name="variable">the environment to read (the process's by default)</param>
    public static HubOptions FromEnvironment(Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => variable(name) is { Length: > 0 } v ? v : null;
        string home = Expand(Get("HF_HOME") ?? Path.Combine(Get("XDG_CACHE_HOME") ?? Path.Combine(UserHome(), ".cache"), "huggingface"));
        string cache = Expand(Get("HF_HUB_CACHE") ?? Get("HUGGINGFACE_HUB_CACHE") ?? Path.Combine(home, "hub"));
        string? token = Get("HF_TOKEN") ?? Get("HUGGING_FACE_HUB_TOKEN") ?? StoredToken(Expand(Get("HF_TOKEN_PATH") ?? Path.Combine(home, "token")));
        bool offline = IsTrue(Get("HF_HUB_OFFLINE")) || IsTrue(Get("TRANSFORMERS_OFFLINE"));
        return new HubOptions((Get("HF_ENDPOINT") ?? DefaultEndpoint).TrimEnd('/'), token?.Trim(), cache, offline);
    }

    static bool IsTrue(string? v) => v is not null && v.Trim().ToLowerInvariant() is "1" or "true" or "yes" or "on";

    static string UserHome() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    static string Expand(string path) => path == "~" ? UserHome()
        : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(UserHome(), path[2..]) : path;

    static string? StoredToken(string path)
    {
        try { return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } t ? t : null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}

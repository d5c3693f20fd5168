using PhaseTune.Hub;
using PhaseTune.ModelFiles;
using Xunit;

namespace PhaseTune.Tests.Hub;

/// <summary>Downloads from the in-process <see cref="FakeHub"/> into a fresh cache: the layout is huggingface_hub's,
/// only the model's files come, and no fault (cut body, wrong hash, 5xx, 401, 404, a server that dies mid-file) ever
/// leaves a snapshot that looks whole.</summary>
public class HubDownloadTests
{
    const string Repo = "org/tiny-st";
    static readonly HubModelName Name = new(Repo, "main");
    static readonly string Weights = "0_Transformer/model.safetensors";

    static readonly Dictionary<string, byte[]> Extras = new()
    {
        ["onnx/model.onnx"] = new byte[100], ["tf_model.h5"] = new byte[10], ["flax_model.msgpack"] = new byte[10],
        ["0_Transformer/pytorch_model.bin"] = new byte[50], ["README.md"] = "# tiny"u8.ToArray(), ["0_Transformer/added_tokens.json"] = [],
    };

    static FakeHub Hub(int port = 0) => new FakeHub(port).Add(Repo, Paths.Fixture("tiny-bert-st"), Extras);

    static HubOptions Options(FakeHub hub, string cache, string? token = null) =>
        new(hub.Endpoint, token, cache, MaxRetries: 3, RetryDelay: TimeSpan.FromMilliseconds(5), Timeout: TimeSpan.FromSeconds(20));

    static string RepoDir(string cache) => Path.Combine(cache, "models--org--tiny-st");

    /// <summary>Nothing of a failed download is visible as whole: no ref, no weights link, no blob of the weights.</summary>
    static void AssertNothingWhole(string cache, FakeHub hub)
    {
        var cacheOf = new HubCache(cache, Name);
        Assert.Null(cacheOf.CommitOf("main"));
        Assert.False(cacheOf.HasFile(FakeHub.Commit, Weights));
        Assert.False(File.Exists(cacheOf.Blob(hub.Served(Repo, Weights).Sha256)));
        var offline = Assert.Throws<HubException>(() => ModelLocator.Snapshot(Name, Options(hub, cache) with { Offline = true }));
        Assert.Contains("HF_HUB_OFFLINE", offline.Message);
    }

    [Fact]
    public void OnlyTheModelsFilesLandInPythonsCacheLayout()
    {
        using var hub = Hub();
        string cache = Paths.TempDir();
        string snapshot = ModelLocator.Snapshot(Name, Options(hub, cache));

        string repoDir = RepoDir(cache);
        Assert.Equal(Path.Combine(repoDir, "snapshots", FakeHub.Commit), snapshot);
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(repoDir, "refs", "main")));
        var files = Directory.EnumerateFiles(snapshot, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(snapshot, f).Replace('\\', '/')).Order().ToList();
        Assert.Equal(["0_Transformer/added_tokens.json", "0_Transformer/config.json", "0_Transformer/model.safetensors", "0_Transformer/sentence_bert_config.json",
            "0_Transformer/tokenizer_config.json", "0_Transformer/vocab.txt", "1_Pooling/config.json", "config_sentence_transformers.json", "modules.json"], files);
        foreach (var f in files)
        {
            var entry = hub.Served(Repo, f);
            string etag = entry.Lfs ? entry.Sha256 : entry.GitSha1;
            string link = Path.Combine(snapshot, f);
            // relative links into blobs/, named by the ETag, as huggingface_hub makes them
            string expected = string.Join('/', Enumerable.Repeat("..", f.Count(c => c == '/') + 2)) + "/blobs/" + etag;
            Assert.Equal(expected, new FileInfo(link).LinkTarget!.Replace('\\', '/'));
            Assert.Equal(entry.Bytes, File.ReadAllBytes(link));
        }
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(repoDir, "blobs"), "*.incomplete"));
        Assert.True(File.Exists(Path.Combine(cache, ".locks", "models--org--tiny-st", hub.Served(Repo, Weights).Sha256 + ".lock")));
        // the snapshot loads (its links point outside the snapshot folder but inside the repository's)
        var loaded = ModelDirectory.Load(snapshot);
        Assert.True(loaded.Normalize);
        Assert.Equal(16, loaded.MaxSeqLength);
    }

    [Fact]
    public void TheTokenGoesToTheHubButNotToLfsStorage()
    {
        using var hub = Hub();
        hub.Tokens[Repo] = "hf_secret";
        string cache = Paths.TempDir();
        var refused = Assert.Throws<HubException>(() => ModelLocator.Snapshot(Name, Options(hub, cache)));
        Assert.Contains("HTTP 401", refused.Message);
        Assert.Contains("set HF_TOKEN", refused.Message);
        Assert.False(refused.Unreachable);

        var wrong = Assert.Throws<HubException>(() => ModelLocator.Snapshot(Name, Options(hub, cache, token: "hf_wrong")));
        Assert.Contains("HF_TOKEN was sent but gives no access", wrong.Message);

        hub.Requests.Clear();
        ModelLocator.Snapshot(Name, Options(hub, cache, token: "hf_secret"));
        Assert.All(hub.Requests.Where(r => !r.Path.StartsWith("/lfs/")), r => Assert.Equal("Bearer hf_secret", r.Authorization));
        var lfs = hub.Requests.Where(r => r.Path.StartsWith("/lfs/")).ToList();
        Assert.NotEmpty(lfs);
        Assert.All(lfs, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public void AMissingRepositoryOrRevisionSaysSo()
    {
        using var hub = Hub();
        string cache = Paths.TempDir();
        var missing = Assert.Throws<HubException>(() => ModelLocator.Snapshot(new HubModelName("org/nope", "main"), Options(hub, cache)));
        Assert.Contains("no such repository", missing.Message);
        Assert.Contains("HTTP 404", missing.Message);
        var revision = Assert.Throws<HubException>(() => ModelLocator.Snapshot(new HubModelName(Repo, "v9"), Options(hub, cache)));
        Assert.Contains("revision 'v9' not found", revision.Message);
        Assert.False(Directory.Exists(Path.Combine(cache, "models--org--nope", "snapshots")));
    }

    [Fact]
    public void AServerErrorIsRetriedWithBackoff()
    {
        using var hub = Hub();
        hub.FailNext = 2;   // the listing fails twice, then answers
        string cache = Paths.TempDir();
        string snapshot = ModelLocator.Snapshot(Name, Options(hub, cache));
        Assert.Equal(3, hub.Requests.Count(r => r.Path.StartsWith("/api/")));
        Assert.Equal(hub.Served(Repo, Weights).Bytes, File.ReadAllBytes(Path.Combine(snapshot, Weights)));

        using var down = Hub();
        down.FailNext = 100;
        var e = Assert.Throws<HubException>(() => ModelLocator.Snapshot(Name, Options(down, Paths.TempDir())));
        Assert.Contains("HTTP 500", e.Message);
        Assert.Equal(4, down.Requests.Count);   // one try and three retries
    }

    [Fact]
    public void ABodyCutShortIsContinuedWithARangeRequest()
    {
        using var hub = Hub();
        hub.CutNext = 1;
        hub.CutAfter = 1_000_000;
        string cache = Paths.TempDir();
        string snapshot = ModelLocator.Snapshot(Name, Options(hub, cache));
        var lfs = hub.Requests.Where(r => r.Path.StartsWith("/lfs/")).ToList();
        Assert.Equal(2, lfs.Count);
        Assert.Null(lfs[0].Range);
        Assert.Equal("bytes=1000000-", lfs[1].Range);
        Assert.Equal(hub.Served(Repo, Weights).Bytes, File.ReadAllBytes(Path.Combine(snapshot, Weights)));
    }

    [Fact]
    public void AWrongHashIsDiscardedAndNeverUsed()
    {
        using var hub = Hub();
        hub.Corrupt = true;
        string cache = Paths.TempDir();
        var e = Assert.Throws<HubException>(() => ModelLocator.Snapshot(Name, Options(hub, cache)));
        Assert.Contains("sha256", e.Message);
        AssertNothingWhole(cache, hub);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(RepoDir(cache), "blobs"), "*.incomplete"));

        hub.Corrupt = false;
        string snapshot = ModelLocator.Snapshot(Name, Options(hub, cache));
        Assert.Equal(hub.Served(Repo, Weights).Bytes, File.ReadAllBytes(Path.Combine(snapshot, Weights)));
    }

    [Fact]
    public void AServerThatDiesMidFileIsResumedFromThePartialBlobNextTime()
    {
        string cache = Paths.TempDir();
        var weights = Hub().Served(Repo, Weights);
        string partial = new HubCache(cache, Name).Incomplete(weights.Sha256);
        using (var dying = Hub())
        {
            dying.CutNext = 1;
            dying.CutAfter = 1_500_000;
            dying.StopAtCut = true;
            var e = Assert.Throws<HubException>(() => ModelLocator.Snapshot(Name, Options(dying, cache)));
            Assert.True(e.Unreachable);
            Assert.Contains("kept", e.Message);
            Assert.Contains("no whole copy", e.Message);
            AssertNothingWhole(cache, dying);
        }
        long kept = new FileInfo(partial).Length;
        Assert.InRange(kept, 1, weights.Bytes.Length - 1);

        using var back = Hub();
        string snapshot = ModelLocator.Snapshot(Name, Options(back, cache));
        var lfs = back.Requests.Where(r => r.Path.StartsWith("/lfs/")).ToList();
        Assert.Equal([$"bytes={kept}-"], lfs.Select(r => r.Range));
        Assert.Equal(weights.Bytes, File.ReadAllBytes(Path.Combine(snapshot, Weights)));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void OfflineAndPinnedCommitsAreServedFromTheCacheWithoutARequest()
    {
        string cache = Paths.TempDir();
        string endpoint;
        string snapshot;
        using (var hub = Hub())
        {
            snapshot = ModelLocator.Snapshot(Name, Options(hub, cache));
            endpoint = hub.Endpoint;
            hub.Requests.Clear();
            Assert.Equal(snapshot, ModelLocator.Snapshot(new HubModelName(Repo, FakeHub.Commit), Options(hub, cache)));
            Assert.Empty(hub.Requests);
        }
        var stopped = new HubOptions(endpoint, null, cache, MaxRetries: 1, RetryDelay: TimeSpan.FromMilliseconds(1));
        Assert.Equal(snapshot, ModelLocator.Snapshot(Name, stopped with { Offline = true }));

        // the Hub down, not offline: the error says so, and that a cached copy can be used with HF_HUB_OFFLINE=1
        var down = Assert.Throws<HubException>(() => ModelLocator.Snapshot(Name, stopped));
        Assert.True(down.Unreachable);
        Assert.Contains("cannot be reached", down.Message);
        Assert.Contains("set HF_HUB_OFFLINE=1", down.Message);
        var none = Assert.Throws<HubException>(() => ModelLocator.Snapshot(new HubModelName("org/other", "main"), stopped));
        Assert.Contains("no whole copy of org/other", none.Message);
    }

    [Fact]
    public void FoldersAndPresetsComeBackAsGivenWithoutARequest()
    {
        string root = Paths.TempDir(), local = Path.Combine(root, "org", "tiny-st");
        Directory.CreateDirectory(local);
        // no server: a request would fail
        var options = new HubOptions("http://127.0.0.1:9", null, Paths.TempDir(), MaxRetries: 0);
        Assert.Equal(local, ModelLocator.Locate(local, options));
        Assert.Equal("scratch:tiny", ModelLocator.Locate("scratch:tiny", options));
        Assert.Equal("runs/a/model", ModelLocator.Locate("runs/a/model", options));   // not a Hub name: the caller reports it
        Assert.Throws<HubException>(() => ModelLocator.Locate("org/tiny-st", options));
    }
}

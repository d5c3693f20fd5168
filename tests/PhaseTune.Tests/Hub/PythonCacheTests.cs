using PhaseTune.Hub;
using PhaseTune.ModelFiles;
using Xunit;

namespace PhaseTune.Tests.Hub;

/// <summary>A cache tree laid out by hand as Python's huggingface_hub leaves it (blobs named by ETag, relative links in
/// snapshots/, refs/main) is found by name and loads offline, with no server at all.</summary>
public class PythonCacheTests
{
    const string Commit = "fedcba9876543210fedcba9876543210fedcba98";

    static string BuildPythonCache(string fixture, string repoFolder, Func<string, bool>? keep = null)
    {
        string cache = Paths.TempDir(), repo = Path.Combine(cache, repoFolder);
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit);   // huggingface_hub writes no newline
        int n = 0;
        foreach (var f in Directory.EnumerateFiles(fixture, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(fixture, f);
            if (rel == "reference.json" || keep?.Invoke(rel) == false) continue;
            string etag = $"{n++:x40}";
            File.Copy(f, Path.Combine(repo, "blobs", etag));
            string link = Path.Combine(repo, "snapshots", Commit, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, Path.Combine(repo, "blobs", etag)));
        }
        return cache;
    }

    [Fact]
    public void APythonCacheIsReadOfflineByName()
    {
        string cache = BuildPythonCache(Paths.Fixture("tiny-bert-st"), "models--sentence-transformers--tiny-st");
        var offline = new HubOptions("http://127.0.0.1:9", null, cache, Offline: true);
        string folder = ModelLocator.Locate("sentence-transformers/tiny-st", offline);
        Assert.Equal(Path.Combine(cache, "models--sentence-transformers--tiny-st", "snapshots", Commit), folder);
        Assert.Equal(folder, ModelLocator.Locate($"sentence-transformers/tiny-st@{Commit}", offline with { Offline = false }));

        var fromCache = ModelDirectory.Load(folder);
        var fromFixture = ModelDirectory.Load(Paths.Fixture("tiny-bert-st"));
        Assert.Equal(fromFixture.Pooling, fromCache.Pooling);
        Assert.Equal(fromFixture.Normalize, fromCache.Normalize);
        var want = fromFixture.Model.state_dict();
        foreach (var (key, got) in fromCache.Model.state_dict())
            Assert.True(got.equal(want[key]).all().item<bool>(), key);
    }

    [Fact]
    public void AnIncompletePythonSnapshotIsNotUsed()
    {
        string cache = BuildPythonCache(Paths.Fixture("tiny-bert"), "models--org--tiny", keep: rel => rel != "model.safetensors");
        var e = Assert.Throws<HubException>(() => ModelLocator.Snapshot(new HubModelName("org/tiny", "main"), new HubOptions("http://127.0.0.1:9", null, cache, Offline: true)));
        Assert.Contains("lacks model.safetensors", e.Message);
    }

    [Fact]
    public void AHubSnapshotsLinksMayLeaveTheSnapshotButNotTheRepository()
    {
        string cache = BuildPythonCache(Paths.Fixture("tiny-bert"), "models--org--tiny");
        string snapshot = Path.Combine(cache, "models--org--tiny", "snapshots", Commit);
        string outside = Path.Combine(cache, "secret.txt");
        File.WriteAllText(outside, "x");
        File.CreateSymbolicLink(Path.Combine(snapshot, "evil.txt"), Path.Combine("..", "..", "..", "secret.txt"));
        var folder = new PhaseTune.IO.SandboxedFolder(snapshot);
        Assert.EndsWith("config.json", folder.File("config.json"));
        Assert.Throws<InvalidDataException>(() => folder.File("evil.txt"));
    }
}

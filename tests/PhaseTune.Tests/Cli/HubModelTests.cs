using PhaseTune.Tests.Hub;
using Xunit;

namespace PhaseTune.Tests.Cli;

/// <summary>`--model org/name` on the command line: downloaded from a (local, fake) Hub into the cache, then read from
/// the cache offline, giving the embeddings of the same files in a local folder.</summary>
public class HubModelTests
{
    static readonly string[] Texts = ["How are you doing?", "You should've done this", "The company was founded in 2016."];

    static (int Code, string Output, string Stderr) Embed(string model, Dictionary<string, string?> env)
    {
        string dir = Paths.TempDir(), input = Path.Combine(dir, "in.txt"), output = Path.Combine(dir, "out.jsonl");
        File.WriteAllText(input, string.Join("\n", Texts) + "\n");
        var (code, _, err) = CliRunner.Run(env, "embed", "--model", model, "--input", input, "--output", output);
        return (code, File.Exists(output) ? File.ReadAllText(output) : "", err);
    }

    static Dictionary<string, string?> Env(string endpoint, string cache, bool offline) => new()
    {
        ["HF_ENDPOINT"] = endpoint, ["HF_HUB_CACHE"] = cache, ["HF_HUB_OFFLINE"] = offline ? "1" : null,
        ["TRANSFORMERS_OFFLINE"] = null, ["HF_TOKEN"] = null,
    };

    [Fact]
    public void EmbedByHubNameWorksOnlineThenOfflineFromTheCacheWithTheLocalFoldersEmbeddings()
    {
        string cache = Paths.TempDir(), endpoint;
        var (code, local, err) = Embed(Paths.Fixture("tiny-bert-st"), []);
        Assert.True(code == 0, err);

        string online;
        using (var hub = new FakeHub().Add("org/tiny-bert-st", Paths.Fixture("tiny-bert-st")))
        {
            endpoint = hub.Endpoint;
            (code, online, err) = Embed("org/tiny-bert-st", Env(endpoint, cache, offline: false));
            Assert.True(code == 0, err);
            Assert.Contains("downloading org/tiny-bert-st/0_Transformer/model.safetensors", err);
            Assert.Contains(hub.Requests, r => r.Path.StartsWith("/lfs/"));
        }
        Assert.Equal(local, online);
        Assert.True(Directory.Exists(Path.Combine(cache, "models--org--tiny-bert-st", "snapshots", FakeHub.Commit)));

        // the server is gone: offline, the cache serves the model
        (code, string offline, err) = Embed("org/tiny-bert-st", Env(endpoint, cache, offline: true));
        Assert.True(code == 0, err);
        Assert.DoesNotContain("downloading", err);
        Assert.Equal(local, offline);

        // not offline and no server: one line that says so and how to use the cached copy
        (code, _, err) = Embed("org/tiny-bert-st", Env(endpoint, cache, offline: false));
        Assert.Equal(1, code);
        Assert.StartsWith("phasetune: error: ", err);
        Assert.Contains("set HF_HUB_OFFLINE=1 to use it", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void AnUnknownHubNameFailsWithOneLineNamingIt()
    {
        using var hub = new FakeHub().Add("org/tiny-bert-st", Paths.Fixture("tiny-bert-st"));
        var (code, output, err) = Embed("org/missing", Env(hub.Endpoint, Paths.TempDir(), offline: false));
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("org/missing: no local folder of that name, and no such repository", err);
    }
}

using PhaseTune.Hub;
using Xunit;

namespace PhaseTune.Tests.Hub;

/// <summary>The environment is read as huggingface_hub reads it (passed in, so the process's is never changed).</summary>
public class HubOptionsTests
{
    static HubOptions From(params (string Key, string Value)[] env) =>
        HubOptions.FromEnvironment(k => env.FirstOrDefault(e => e.Key == k).Value);

    [Fact]
    public void TheCacheIsHfHubCacheElseHfHomeHubElseXdgElseHome()
    {
        Assert.Equal("/c", From(("HF_HUB_CACHE", "/c"), ("HF_HOME", "/h"), ("HUGGINGFACE_HUB_CACHE", "/old")).CacheDir);
        Assert.Equal("/old", From(("HF_HOME", "/h"), ("HUGGINGFACE_HUB_CACHE", "/old")).CacheDir);
        Assert.Equal(Path.Combine("/h", "hub"), From(("HF_HOME", "/h")).CacheDir);
        Assert.Equal(Path.Combine("/x", "huggingface", "hub"), From(("XDG_CACHE_HOME", "/x")).CacheDir);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(home, ".cache", "huggingface", "hub"), From().CacheDir);
        Assert.Equal(Path.Combine(home, "hf", "hub"), From(("HF_HOME", "~/hf")).CacheDir);
    }

    [Fact]
    public void EndpointTokenAndOfflineComeFromTheirVariables()
    {
        var o = From(("HF_ENDPOINT", "https://mirror.example/"), ("HF_TOKEN", "hf_abc"), ("HF_HUB_OFFLINE", "1"));
        Assert.Equal("https://mirror.example", o.Endpoint);
        Assert.Equal("hf_abc", o.Token);
        Assert.True(o.Offline);
        Assert.Equal(HubOptions.DefaultEndpoint, From().Endpoint);
        Assert.Null(From(("HF_HOME", Paths.TempDir())).Token);
        Assert.False(From(("HF_HUB_OFFLINE", "0")).Offline);
        Assert.True(From(("TRANSFORMERS_OFFLINE", "true")).Offline);
    }

    [Fact]
    public void TheTokenHuggingfaceCliLoginStoredIsUsedWithoutHfToken()
    {
        string home = Paths.TempDir();
        File.WriteAllText(Path.Combine(home, "token"), "hf_stored\n");
        Assert.Equal("hf_stored", From(("HF_HOME", home)).Token);
        Assert.Equal("hf_env", From(("HF_HOME", home), ("HF_TOKEN", "hf_env")).Token);
    }
}

using PhaseTune.Hub;
using Xunit;

namespace PhaseTune.Tests.Hub;

public class HubModelNameTests
{
    [Theory]
    [InlineData("sentence-transformers/all-MiniLM-L12-v2", "sentence-transformers/all-MiniLM-L12-v2", "main")]
    [InlineData("org/name@v1.0", "org/name", "v1.0")]
    [InlineData("org/name@refs/pr/3", "org/name", "refs/pr/3")]
    [InlineData("Org_1/m.v2@0123456789abcdef0123456789abcdef01234567", "Org_1/m.v2", "0123456789abcdef0123456789abcdef01234567")]
    public void HubNamesParseIntoRepositoryAndRevision(string text, string repo, string revision)
    {
        Assert.True(HubModelName.TryParse(text, out var name));
        Assert.Equal(repo, name.Repo);
        Assert.Equal(revision, name.Revision);
        Assert.Equal("models--" + repo.Replace("/", "--"), name.CacheFolder);
    }

    [Theory]
    [InlineData("bert-base-uncased")]        // a bare name is a folder, never a Hub lookup
    [InlineData("runs/a/model")]
    [InlineData("./org/name")]
    [InlineData("../org/name")]
    [InlineData("/abs/name")]
    [InlineData("~/models")]
    [InlineData("org/na--me")]
    [InlineData("org/-name")]
    [InlineData("org/name.")]
    [InlineData("org/name@")]
    [InlineData("org/name@../../etc")]
    [InlineData("org/name@a//b")]
    [InlineData("scratch:tiny")]
    [InlineData("org\\name")]
    public void PathsAndBadNamesAreNotHubNames(string text) => Assert.False(HubModelName.TryParse(text, out _));

    [Fact]
    public void OnlyFortyLowercaseHexDigitsAreACommit()
    {
        Assert.True(HubModelName.IsCommitHash("0123456789abcdef0123456789abcdef01234567"));
        Assert.False(HubModelName.IsCommitHash("0123456789ABCDEF0123456789abcdef01234567"));
        Assert.False(HubModelName.IsCommitHash("0123456"));
    }
}

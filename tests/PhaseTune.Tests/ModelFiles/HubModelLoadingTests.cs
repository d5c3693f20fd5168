using PhaseTune.Hub;
using PhaseTune.ModelFiles;
using PhaseTune.Models;
using PhaseTune.Tests.Hub;
using Xunit;

namespace PhaseTune.Tests.ModelFiles;

/// <summary>A saved PhaseTune classifier published on the Hub comes down whole (encoder, head, labels) and predicts
/// what the local folder predicts.</summary>
public class HubModelLoadingTests
{
    [Fact]
    public void AClassifierByNamePredictsAsItsLocalFolder()
    {
        string saved = Path.Combine(Paths.TempDir(), "model");
        ClassifierDirectory.Save(OnnxExportTests.ToyClassifier("relu", PoolingMode.Mean), saved);
        using var hub = new FakeHub().Add("org/clf", saved);
        var options = new HubOptions(hub.Endpoint, null, Paths.TempDir(), RetryDelay: TimeSpan.FromMilliseconds(5));
        string snapshot = ModelLocator.Locate("org/clf", options);
        Assert.StartsWith(options.CacheDir, snapshot);

        (string, string?)[] texts = [("the team won the football match", null), ("bake the bread for forty minutes", null)];
        var want = ClassifierLoader.Load(saved).PredictProba(texts);
        var got = ClassifierLoader.Load(snapshot).PredictProba(texts);
        Assert.Equal(want.SelectMany(p => p), got.SelectMany(p => p));
    }
}

using PhaseTune.ModelFiles;
using PhaseTune.Models;
using Xunit;

namespace PhaseTune.Tests.Models;

public class EmbedderTests
{
    [Fact]
    public void StreamingAcrossWindowsGivesTheVectorsOfTheWholeListInInputOrder()
    {
        var loaded = ModelDirectory.Load(Paths.Fixture("tiny-bert"));
        var embedder = new Embedder(loaded.Model, loaded.Tokenizer, PoolingMode.Mean);
        string[] words = ["red", "apple", "the", "quick", "river", "runs", "north", "a", "very", "long", "sentence", "here"];
        var texts = Enumerable.Range(0, Embedder.Window + 300).Select(i => string.Join(' ', Enumerable.Range(0, 1 + i % 9).Select(k => words[(i * 7 + k) % words.Length]))).ToList();
        int pulled = 0;
        IEnumerable<string> Lazy() { foreach (var t in texts) { pulled++; yield return t; } }
        var streamed = embedder.Stream(Lazy(), batchSize: 16).Take(10).ToList();
        Assert.Equal(Embedder.Window, pulled);   // reads one window ahead, not the whole input
        var all = embedder.Embed(texts, batchSize: 16);
        var full = embedder.Stream(texts, batchSize: 16).ToList();
        Assert.Equal(texts, full.Select(r => r.Text));
        for (int i = 0; i < texts.Count; i++)
            for (int d = 0; d < all[i].Length; d++) Assert.Equal(all[i][d], full[i].Vector[d], 4);
        Assert.Equal(all[3], streamed[3].Vector);
    }
}

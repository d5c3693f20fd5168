using Microsoft.Extensions.AI;
using PhaseTune.Inference;
using PhaseTune.ModelFiles;
using PhaseTune.ModelFiles.Onnx;
using PhaseTune.Models;
using PhaseTune.Tests.ModelFiles;
using Xunit;

namespace PhaseTune.Tests.Inference;

/// <summary>The Microsoft.Extensions.AI adapter gives the embedders' own vectors, for TorchSharp and ONNX alike, and
/// the embedders and classifiers answer the same from many threads at once.</summary>
public class EmbeddingGeneratorTests
{
    static readonly string[] Texts = ["hello world", "a much longer sentence about the weather in paris tomorrow", "ok", "play some jazz"];

    static Embedder TorchEmbedder()
    {
        var loaded = ModelDirectory.Load(Paths.Fixture("tiny-bert-st"));
        return new Embedder(loaded.Model, loaded.Tokenizer, loaded.PoolingOrDefault, loaded.Normalize);
    }

    static async Task AssertSameVectors(ITextEmbedder embedder, string modelId)
    {
        var expected = embedder.Embed(Texts);
        using var generator = new PhaseTuneEmbeddingGenerator(embedder, modelId);
        IEmbeddingGenerator<string, Embedding<float>> g = generator;
        var generated = await g.GenerateAsync(Texts);
        Assert.Equal(Texts.Length, generated.Count);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(expected[i], generated[i].Vector.ToArray());
            Assert.Equal(modelId, generated[i].ModelId);
            Assert.Equal(embedder.Dimension, generated[i].Dimensions);
        }
        var single = await g.GenerateVectorAsync(Texts[1]);
        Assert.Equal(embedder.Embed([Texts[1]])[0], single.ToArray());   // alone, as the embedder gives it alone
        Assert.Empty(await g.GenerateAsync([]));

        var metadata = g.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal(("PhaseTune", modelId, embedder.Dimension), (metadata.ProviderName, metadata.DefaultModelId, metadata.DefaultModelDimensions));
        Assert.Same(embedder, g.GetService(embedder.GetType()));
        Assert.Null(g.GetService(typeof(string)));
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => g.GenerateAsync(Texts, new EmbeddingGenerationOptions { Dimensions = embedder.Dimension + 1 }));
        Assert.Contains($"makes {embedder.Dimension}-dimensional embeddings", e.Message);
        // the ones asked for are fine
        Assert.Equal(expected[0], (await g.GenerateAsync(Texts, new EmbeddingGenerationOptions { Dimensions = embedder.Dimension }))[0].Vector.ToArray());
    }

    [Fact]
    public Task TorchSharpEmbedderVectorsComeThroughUnchanged() => AssertSameVectors(TorchEmbedder(), "tiny-bert-st");

    [Fact]
    public Task OnnxEmbedderVectorsComeThroughUnchanged()
    {
        string dir = Paths.TempDir(), saved = Path.Combine(dir, "model"), export = Path.Combine(dir, "deploy");
        ClassifierDirectory.Save(OnnxExportTests.ToyClassifier("relu", PoolingMode.Mean), saved);
        OnnxDirectory.Export(saved, export);
        return AssertSameVectors(new OnnxEmbedder(export), "deploy");
    }

    [Fact]
    public void TorchSharpEmbedderAndClassifierGiveTheSameAnswersFromManyThreads()
    {
        using var embedder = TorchEmbedder();
        using var classifier = OnnxExportTests.ToyClassifier("relu", PoolingMode.Mean);
        var pairs = Texts.Select(t => (t, (string?)null)).ToArray();
        var vectors = embedder.Embed(Texts);
        var probabilities = classifier.PredictProba(pairs);
        classifier.Encoder.train();   // a caller's mode is no reason for dropout in prediction
        var results = new (float[][] V, float[][] P)[16];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            results[i] = (embedder.Embed(Texts), classifier.PredictProba(pairs)));
        foreach (var (v, p) in results)
        {
            for (int i = 0; i < Texts.Length; i++) Assert.Equal(vectors[i], v[i]);
            for (int i = 0; i < Texts.Length; i++) Assert.Equal(probabilities[i], p[i]);
        }
    }
}

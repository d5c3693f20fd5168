using Microsoft.Extensions.AI;

namespace PhaseTune.Inference;

/// <summary>A PhaseTune embedder as Microsoft.Extensions.AI's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, so
/// a trained or exported model plugs into the .NET AI stack (vector stores, caching and telemetry middleware). The
/// vectors are the embedder's own. It owns the embedder: disposing it disposes the embedder.</summary>
/// <param name="modelId">the name the embeddings and the metadata carry (e.g. the model folder's name)</param>
public sealed class PhaseTuneEmbeddingGenerator(ITextEmbedder embedder, string? modelId = null) : IEmbeddingGenerator<string, Embedding<float>>
{
    readonly EmbeddingGeneratorMetadata _metadata = new("PhaseTune", null, modelId, embedder.Dimension);

    /// <summary>Embeds on the calling thread.</summary>
    /// <exception cref="NotSupportedException">when <paramref name="options"/> asks for other dimensions than the model's</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is int asked && asked != embedder.Dimension)
            throw new NotSupportedException($"{modelId ?? "this model"} makes {embedder.Dimension}-dimensional embeddings; {asked} were asked for");
        cancellationToken.ThrowIfCancellationRequested();
        var texts = values.ToList();
        var created = DateTimeOffset.UtcNow;
        var vectors = texts.Count == 0 ? [] : embedder.Embed(texts);
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(
            vectors.Select(v => new Embedding<float>(v) { ModelId = modelId, CreatedAt = created })));
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType.IsInstanceOfType(this)) return this;
        return serviceType.IsInstanceOfType(embedder) ? embedder : null;
    }

    public void Dispose() => embedder.Dispose();
}

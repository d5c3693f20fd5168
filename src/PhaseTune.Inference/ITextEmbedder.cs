namespace PhaseTune.Inference;

/// <summary>What serving embeddings needs of an encoder, whichever runtime holds it: a TorchSharp Embedder or an
/// exported <see cref="OnnxEmbedder"/>. Implementations are thread-safe.</summary>
public interface ITextEmbedder : IDisposable
{
    /// <summary>Floats per vector.</summary>
    int Dimension { get; }

    /// <summary>One vector of <see cref="Dimension"/> floats per text, in input order.</summary>
    float[][] Embed(IReadOnlyList<string> texts);
}

using PhaseTune.Text;

namespace PhaseTune.Inference;

/// <summary>Sentence embeddings from an export folder (an encoder's or a classifier's: both output
/// sentence_embedding), computed by OnnxRuntime exactly as the model's pooling and normalisation define them.
/// Thread-safe; dispose to free the session.</summary>
public sealed class OnnxEmbedder : ITextEmbedder
{
    readonly OnnxModel _model;

    public OnnxEmbedder(string exportFolder, InferenceOptions? options = null) => _model = new OnnxModel(exportFolder, options);

    public ExportManifest Manifest => _model.Manifest;
    public int Dimension => _model.Manifest.Dimension;

    /// <returns>one vector of <see cref="Dimension"/> floats per text, in the input order</returns>
    public float[][] Embed(IReadOnlyList<string> texts) => _model.Run(OnnxModel.Singles(texts), "sentence_embedding")[0];

    public float[] Embed(string text) => Embed([text])[0];

    /// <summary>Embeds texts tokenised beforehand by <see cref="Tokenizer"/> (cut to the manifest's max length).</summary>
    public float[][] EmbedEncoded(IReadOnlyList<TokenEncoding> encoded) => _model.Run(encoded, "sentence_embedding")[0];

    public ITokenizer Tokenizer => _model.Tokenizer;

    public void Dispose() => _model.Dispose();
}

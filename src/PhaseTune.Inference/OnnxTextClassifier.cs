namespace PhaseTune.Inference;

/// <summary>A classifier from an export folder (`phasetune export` of a trained model): texts in, labels and class
/// probabilities out, through OnnxRuntime alone. Thread-safe; dispose to free the session.</summary>
public sealed class OnnxTextClassifier : ITextClassifier, IDisposable
{
    readonly OnnxModel _model;

    public OnnxTextClassifier(string exportFolder, InferenceOptions? options = null)
    {
        _model = new OnnxModel(exportFolder, options);
        if (!_model.Manifest.IsClassifier)
        {
            _model.Dispose();
            throw new InvalidDataException($"{exportFolder}: an exported {_model.Manifest.Kind}, not a classifier; use OnnxEmbedder");
        }
    }

    public ExportManifest Manifest => _model.Manifest;

    /// <summary>The labels, in the order of <see cref="PredictProba(IReadOnlyList{string})"/>'s columns.</summary>
    public IReadOnlyList<string> Labels => _model.Manifest.Labels;

    /// <returns>per text, the softmax over <see cref="Labels"/></returns>
    public float[][] PredictProba(IReadOnlyList<string> texts) => PredictProba(OnnxModel.Singles(texts));

    /// <returns>per text or pair (a model trained on pairs), the softmax over <see cref="Labels"/></returns>
    public float[][] PredictProba(IReadOnlyList<(string A, string? B)> texts) => _model.Run(texts, "probabilities")[0];

    /// <returns>per text, the most probable label (the first on a tie)</returns>
    public string[] Predict(IReadOnlyList<string> texts) => PredictProba(texts).Select(p => Labels[TextClassifierExtensions.ArgMax(p)]).ToArray();

    public string Predict(string text) => Predict([text])[0];

    /// <returns>per text, the probabilities and the sentence embedding, from one pass</returns>
    public (float[][] Probabilities, float[][] Embeddings) PredictWithEmbeddings(IReadOnlyList<string> texts)
    {
        var r = _model.Run(OnnxModel.Singles(texts), "probabilities", "sentence_embedding");
        return (r[0], r[1]);
    }


    public void Dispose() => _model.Dispose();
}

using PhaseTune.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;

namespace PhaseTune.Baselines;

/// <summary>The classic baseline: word 1–2-gram and character 2–5-gram TF-IDF features, L2-normalised, and a
/// multinomial logistic regression (ML.NET's L-BFGS maximum-entropy trainer, L2 weight <c>l2</c>, no L1). Words are
/// the lower-cased text without punctuation split on spaces; characters come from the lower-cased text with
/// punctuation, between ML.NET's start and end markers. Deterministic: one training thread.</summary>
public sealed class TfidfClassifier
{
    readonly MLContext _ml;
    readonly ITransformer _model;
    readonly LabelSet _labels;
    readonly PredictionEngine<Row, Prediction> _engine;

    sealed class Row
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
    }

    sealed class LabelName
    {
        public string Label { get; set; } = "";
    }

    sealed class Prediction
    {
        [ColumnName("Score")] public float[] Score { get; set; } = [];
    }

    TfidfClassifier(MLContext ml, ITransformer model, LabelSet labels)
    {
        _ml = ml; _model = model; _labels = labels;
        _engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
    }

    /// <summary>How many numbers the features have (word and character n-grams seen in training).</summary>
    public int FeatureCount { get; private init; }

    public static TfidfClassifier Train(IReadOnlyList<Example> train, LabelSet labels, double l2 = 1, int seed = 0)
    {
        if (train.Count == 0) throw new ArgumentException("tfidf: no training examples");
        var ml = new MLContext(seed);
        var rows = ml.Data.LoadFromEnumerable(train.Select(e => new Row { Text = TextOf(e), Label = e.Label }));
        var chars = new[] { 2, 3, 4, 5 }.Select(n => $"chars{n}").ToArray();
        // the label keys in LabelSet order, so that score k is LabelSet index k
        var labelKeys = ml.Data.LoadFromEnumerable(labels.Names.Select(n => new LabelName { Label = n }));
        IEstimator<ITransformer> pipe = ml.Transforms.Conversion.MapValueToKey("Label", keyData: labelKeys)
            .Append(ml.Transforms.Text.NormalizeText("wordText", "Text", TextNormalizingEstimator.CaseMode.Lower,
                keepDiacritics: true, keepPunctuations: false, keepNumbers: true))
            .Append(ml.Transforms.Text.TokenizeIntoWords("words", "wordText"))
            .Append(ml.Transforms.Conversion.MapValueToKey("wordKeys", "words"))
            .Append(ml.Transforms.Text.ProduceNgrams("wordGrams", "wordKeys", ngramLength: 2, useAllLengths: true,
                weighting: NgramExtractingEstimator.WeightingCriteria.TfIdf))
            .Append(ml.Transforms.Text.NormalizeText("charText", "Text", TextNormalizingEstimator.CaseMode.Lower,
                keepDiacritics: true, keepPunctuations: true, keepNumbers: true))
            .Append(ml.Transforms.Text.TokenizeIntoCharactersAsKeys("charKeys", "charText"));
        for (int n = 2; n <= 5; n++)
            pipe = pipe.Append(ml.Transforms.Text.ProduceNgrams(chars[n - 2], "charKeys", ngramLength: n, useAllLengths: false,
                weighting: NgramExtractingEstimator.WeightingCriteria.TfIdf));
        var trainer = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            L1Regularization = 0, L2Regularization = (float)l2, NumberOfThreads = 1,
        });
        var full = pipe.Append(ml.Transforms.Concatenate("Features", ["wordGrams", .. chars]))
            .Append(ml.Transforms.NormalizeLpNorm("Features"))
            .Append(trainer);
        var model = full.Fit(rows);
        int features = model.GetOutputSchema(rows.Schema)["Features"].Type is VectorDataViewType v ? v.Size : 0;
        return new TfidfClassifier(ml, model, labels) { FeatureCount = features };
    }

    static string TextOf(Example e) => e.Text2 is null ? e.Text : e.Text + " \n " + e.Text2;

    /// <summary>Class probabilities in <see cref="LabelSet"/> order.</summary>
    public float[] Probabilities(Example e) => _engine.Predict(new Row { Text = TextOf(e) }).Score;

    /// <summary>Index of the most probable label (the first on a tie).</summary>
    public int Predict(Example e)
    {
        var p = Probabilities(e);
        int best = 0;
        for (int k = 1; k < p.Length; k++) if (p[k] > p[best]) best = k;
        return best;
    }

    public LabelSet Labels => _labels;

    /// <summary>The fitted pipeline as ML.NET's model zip (loads with <c>MLContext.Model.Load</c>).</summary>
    public void Save(Stream stream) => _ml.Model.Save(_model, null, stream);
}

using PhaseTune.IO;

namespace PhaseTune.Data;

/// <summary>Where a run's examples come from and how many it uses: a directory (`train*`, `dev|validation|valid|val`,
/// `test`) or explicit files, the columns, and at most one cut of the training set — the first <see cref="Limit"/>
/// rows, or a seeded stratified sample of about <see cref="Sample"/> (for sets ordered by label, such as MASSIVE).</summary>
public sealed record DataOptions
{
    public string? Dir { get; init; }
    public string? Train { get; init; }
    public string? Dev { get; init; }
    public string? Test { get; init; }
    public string TextColumn { get; init; } = "text";
    public string LabelColumn { get; init; } = "label";
    public int? Limit { get; init; }
    public int? Sample { get; init; }
    /// <summary>Files of unlabelled texts for the DAE phase (any reader format's text column, or one text per line).</summary>
    public IReadOnlyList<string> Unlabeled { get; init; } = [];

    ColumnOptions Columns => new(TextColumn, LabelColumn);

    /// <summary>The paths read, with the flags that name them (for <c>PathGuard.CheckOutput</c>).</summary>
    public IEnumerable<(string Flag, string? Path)> Inputs =>
        [("--data", Dir), ("--train", Train), ("--dev", Dev), ("--test", Test), .. Unlabeled.Select(u => ("--unlabeled", (string?)u))];

    /// <summary>Labelled train / dev / test; dev and test labels must occur in the (cut) training set.</summary>
    public DataSplits Load(int seed, string? labelLevels)
    {
        CheckCuts();
        var data = DataSplits.Load(Dir, Train, Dev, Test, Columns, seed, labelLevels);
        List<Example>? train = null;
        if (Limit is int n) train = data.Train.Take(n).ToList();
        else if (Sample is int m) train = DataSplits.StratifiedSample(data.Train, m, Seeds.Mix(seed, "sample"));
        if (train is null) return WithUnlabeled(data);
        var labels = LabelSet.FromTrain(train, labelLevels);
        string hint = " (the cut training set lacks them; try --sample)";
        try
        {
            labels.CheckKnown(data.Dev, "dev");
            if (data.Test is not null) labels.CheckKnown(data.Test, "test");
        }
        catch (InvalidDataException e) { throw new InvalidDataException(e.Message + hint); }
        return WithUnlabeled(data with { Train = train, Labels = labels });
    }

    /// <summary>The unlabelled texts, de-duplicated, without any training, dev or test text (so no evaluation text is
    /// ever trained on, even without its label).</summary>
    DataSplits WithUnlabeled(DataSplits data)
    {
        if (Unlabeled.Count == 0) return data;
        var seen = new HashSet<string>(data.Train.Concat(data.Dev).Concat(data.Test ?? []).SelectMany(e => e.Text2 is null ? [e.Text] : new[] { e.Text, e.Text2 }), StringComparer.Ordinal);
        var extra = Unlabeled.SelectMany(path => InputTexts.Read(path, TextColumn))
            .SelectMany(t => t.B is null ? [t.A] : new[] { t.A, t.B })
            .Where(t => !string.IsNullOrWhiteSpace(t) && seen.Add(t)).ToList();
        return data with { Unlabeled = extra };
    }

    /// <summary>The training texts alone (labels optional), cut to the first <see cref="Limit"/>, for objectives that
    /// need no labels. Dev texts (the dev file, never split from train) serve the phase's best-on-dev selection; test
    /// texts are read only so that no unlabelled text is one of them.</summary>
    public DataSplits LoadTexts()
    {
        CheckCuts();
        if (Sample is not null) throw new ArgumentException("--sample draws by label; for texts alone use --limit");
        string source = Train ?? (Dir is string d ? DataSplits.FindTrain(d) : throw new ArgumentException("give --data DIR or --train FILE"));
        var texts = DatasetReader.ReadUnlabelled(source, new ColumnOptions(TextColumn));
        if (Limit is int n) texts = texts.Take(n).ToList();
        string? dev = Dev ?? (Dir is string dd ? DataSplits.FindDev(dd) : null), test = Test ?? (Dir is string dt ? DataSplits.FindTest(dt) : null);
        var devTexts = dev is null ? [] : DatasetReader.ReadUnlabelled(dev, new ColumnOptions(TextColumn));
        var testTexts = test is null ? null : DatasetReader.ReadUnlabelled(test, new ColumnOptions(TextColumn));
        return WithUnlabeled(new DataSplits(texts, devTexts, testTexts, LabelSet.FromTrain(texts, null), false));
    }

    void CheckCuts()
    {
        if (Limit is not null && Sample is not null) throw new ArgumentException("give --limit or --sample, not both");
        if (Limit is < 2) throw new ArgumentException($"--limit must be at least 2 (got {Limit})");
        if (Sample is < 2) throw new ArgumentException($"--sample must be at least 2 (got {Sample})");
    }
}

using PhaseTune.IO;

namespace PhaseTune.Data;

/// <summary>Train / dev / test examples and the label set taken from train, plus unlabelled texts for the phases that
/// learn from text alone.</summary>
public sealed record DataSplits(List<Example> Train, List<Example> Dev, List<Example>? Test, LabelSet Labels, bool DevWasSplit)
{
    /// <summary>Extra texts without labels (`--unlabeled`): none is a training, dev or test text, none twice.</summary>
    public IReadOnlyList<string> Unlabeled { get; init; } = [];

    /// <summary>What the text-only phases (DAE) learn from: the training texts, then the unlabelled ones.</summary>
    public List<string> TrainingTexts() => [.. Train.Select(e => e.Text), .. Unlabeled];

    public const double DefaultDevFraction = 0.2;

    /// <summary>Loads `--data DIR` (train*, dev|validation|valid|val, test files by name) or explicit files.
    /// Without a dev file, a stratified, seeded 20 % of train becomes dev (as the paper does).</summary>
    public static DataSplits Load(string? dir, string? train, string? dev, string? test, ColumnOptions columns, int seed,
        string? labelLevelSeparator = null)
    {
        if (dir is not null)
        {
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: data directory not found");
            train ??= FindTrain(dir);
            dev ??= FindDev(dir);
            test ??= FindTest(dir);
        }
        if (train is null) throw new ArgumentException("give --data DIR or --train FILE");
        var trainSet = DatasetReader.Read(train, columns);
        List<Example> devSet;
        bool split = dev is null;
        if (dev is not null) devSet = DatasetReader.Read(dev, columns);
        else (trainSet, devSet) = StratifiedSplit(trainSet, DefaultDevFraction, seed);
        var testSet = test is null ? null : DatasetReader.Read(test, columns);

        var labels = LabelSet.FromTrain(trainSet, labelLevelSeparator);
        labels.CheckKnown(devSet, dev ?? train);
        if (testSet is not null) labels.CheckKnown(testSet, test!);
        return new DataSplits(trainSet, devSet, testSet, labels, split);
    }

    /// <summary>The file `eval --data` scores: the file itself, or a directory's test file, else its dev file.</summary>
    public static string FindEvaluationFile(string data)
    {
        if (File.Exists(data)) return data;
        if (!Directory.Exists(data)) throw new FileNotFoundException($"{data}: no such file or directory");
        foreach (var split in new[] { "test", "dev", "validation" })
            foreach (var ext in DatasetReader.Extensions)
                foreach (var gz in new[] { "", ".gz" })
                    if (File.Exists(Path.Combine(data, split + ext + gz))) return Path.Combine(data, split + ext + gz);
        throw new FileNotFoundException($"{data}: no test or dev file");
    }

    public static string? FindDev(string dir) => Find(dir, ["dev", "validation", "valid", "val"], prefix: false);
    public static string? FindTest(string dir) => Find(dir, ["test"], prefix: false);

    public static string FindTrain(string dir) =>
        Find(dir, ["train"], prefix: true) ?? throw new FileNotFoundException($"{dir}: no train file (train.jsonl, train.csv, ...)");

    static string? Find(string dir, string[] names, bool prefix)
    {
        var files = Directory.GetFiles(dir).Where(f =>
        {
            string n = Path.GetFileName(f).ToLowerInvariant();
            if (n.EndsWith(".gz")) n = n[..^3];
            string stem = Path.GetFileNameWithoutExtension(n);
            return DatasetReader.Extensions.Contains(Path.GetExtension(n)) &&
                   names.Any(x => prefix ? stem.StartsWith(x) : stem == x);
        }).Order(StringComparer.Ordinal).ToList();
        if (files.Count > 1 && !prefix) throw new InvalidDataException($"{dir}: several files for split '{names[0]}': {string.Join(", ", files)}");
        return files.FirstOrDefault(f => names.Contains(Stem(f))) ?? files.FirstOrDefault();
    }

    static string Stem(string f)
    {
        string n = Path.GetFileName(f).ToLowerInvariant();
        if (n.EndsWith(".gz")) n = n[..^3];
        return Path.GetFileNameWithoutExtension(n);
    }

    /// <summary>About <paramref name="n"/> examples drawn per label in proportion to its size (at least one of each),
    /// by a seeded shuffle; source order is kept.</summary>
    public static List<Example> StratifiedSample(List<Example> all, int n, int seed)
    {
        if (n >= all.Count) return all;
        var rng = new Random(Seeds.Mix(seed, "stratified-sample"));
        var picked = new HashSet<Example>(ReferenceEqualityComparer.Instance);
        foreach (var group in all.GroupBy(e => e.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var items = group.ToArray();
            rng.Shuffle(items);
            int take = Math.Max(1, (int)Math.Round((double)n * items.Length / all.Count));
            foreach (var e in items.Take(take)) picked.Add(e);
        }
        return all.Where(picked.Contains).ToList();
    }

    /// <summary>Per label, a seeded shuffle moves round(n·fraction) examples (at least one when n ≥ 2) to dev.</summary>
    public static (List<Example> Train, List<Example> Dev) StratifiedSplit(List<Example> all, double fraction, int seed)
    {
        var rng = new Random(Seeds.Mix(seed, "dev-split"));
        var train = new List<Example>();
        var dev = new List<Example>();
        foreach (var group in all.GroupBy(e => e.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var items = group.ToArray();
            rng.Shuffle(items);
            int take = (int)Math.Round(items.Length * fraction);
            if (take == 0 && items.Length >= 2) take = 1;
            dev.AddRange(items[..take]);
            train.AddRange(items[take..]);
        }
        // keep source order inside each split so a run does not depend on label order
        int Order(Example e) => e.Line;
        return (train.OrderBy(Order).ToList(), dev.OrderBy(Order).ToList());
    }
}

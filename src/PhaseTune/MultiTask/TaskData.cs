using System.Globalization;
using PhaseTune.Data;
using PhaseTune.IO;

namespace PhaseTune.MultiTask;

/// <summary>A task's examples and, for classification, its labels (from train).</summary>
public sealed record TaskData(TaskConfig Config, List<Example> Train, List<Example> Dev, List<Example> Test, LabelSet? Labels)
{
    /// <summary>Head outputs: classes, 1 for binary pairs (BCE) and for regression.</summary>
    public int Outputs => Config.Kind == TaskKind.PairRegression || (Config.Kind == TaskKind.PairClassification && Labels!.Count == 2) ? 1 : Labels!.Count;

    public static TaskData Load(TaskConfig t, int seed, int? limit)
    {
        List<Example> train, dev, test;
        if (Directory.Exists(t.Data))
        {
            var files = Directory.GetFiles(t.Data);
            string? Find(string split) => files.Where(f => Path.GetFileName(f).StartsWith(split + ".")).Order().FirstOrDefault();
            train = DatasetReader.Read(DataSplits.FindTrain(t.Data));
            var devFile = Find("dev") ?? Find("validation");
            var testFile = Find("test");
            var rng = Seeds.For(seed, "task-split-" + t.Name);
            if (testFile is null && devFile is not null) { test = DatasetReader.Read(devFile); (train, dev) = Cut(train, 0.1, rng); }
            else
            {
                test = testFile is null ? [] : DatasetReader.Read(testFile);
                if (devFile is not null) dev = DatasetReader.Read(devFile); else (train, dev) = Cut(train, 0.1, rng);
            }
        }
        else if (File.Exists(t.Data))
        {
            var all = DatasetReader.Read(t.Data).ToArray();
            Seeds.For(seed, "task-split-" + t.Name).Shuffle(all);
            int nTrain = (int)Math.Round(all.Length * t.Split[0]), nDev = (int)Math.Round(all.Length * t.Split[1]);
            (train, dev, test) = (all[..nTrain].ToList(), all[nTrain..(nTrain + nDev)].ToList(), all[(nTrain + nDev)..].ToList());
        }
        else throw new FileNotFoundException($"task {t.Name}: {t.Data}: no such file or directory");
        if (limit is int n)
        {
            // a seeded sample, not the first rows: some sets are ordered by label
            var pick = Seeds.For(seed, "task-limit-" + t.Name);
            List<Example> Sample(List<Example> xs) { var a = xs.ToArray(); pick.Shuffle(a); return a.Take(n).ToList(); }
            (train, dev, test) = (Sample(train), Sample(dev), Sample(test));
            if (t.Kind != TaskKind.PairRegression)
            {
                var seen = train.Select(e => e.Label).ToHashSet();
                (dev, test) = (dev.Where(e => seen.Contains(e.Label)).ToList(), test.Where(e => seen.Contains(e.Label)).ToList());
            }
        }
        if (train.Count == 0 || dev.Count == 0) throw new InvalidDataException($"task {t.Name}: empty train or dev split");
        if (t.Kind != TaskKind.Single && train.Any(e => e.Text2 is null))
            throw new InvalidDataException($"task {t.Name}: pair task but {train.First(e => e.Text2 is null).Where} has no second text");
        LabelSet? labels = null;
        if (t.Kind == TaskKind.PairRegression)
            foreach (var e in train.Concat(dev).Concat(test))
            {
                if (!double.TryParse(e.Label, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    throw new InvalidDataException($"{e.Where}: regression label '{e.Label}' is not a number");
            }
        else
        {
            labels = LabelSet.FromTrain(train, null);
            labels.CheckKnown(dev, $"task {t.Name} dev");
            labels.CheckKnown(test, $"task {t.Name} test");
        }
        return new TaskData(t, train, dev, test, labels);
    }

    static (List<Example>, List<Example>) Cut(List<Example> all, double fraction, Random rng)
    {
        var arr = all.ToArray();
        rng.Shuffle(arr);
        int n = Math.Max(1, (int)Math.Round(arr.Length * fraction));
        return (arr[n..].ToList(), arr[..n].ToList());
    }

    public static double Score(string label) => double.Parse(label, CultureInfo.InvariantCulture);
}

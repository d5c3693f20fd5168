namespace PhaseTune.Data;

/// <summary>The classes seen in train, in ordinal order; optionally hierarchical ("World/Politics" → levels).</summary>
public sealed class LabelSet
{
    readonly Dictionary<string, int> _index;
    public IReadOnlyList<string> Names { get; }
    public string? LevelSeparator { get; }

    public LabelSet(IEnumerable<string> names, string? levelSeparator = null)
    {
        Names = names.Distinct().Order(StringComparer.Ordinal).ToArray();
        _index = Names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        LevelSeparator = levelSeparator;
    }

    public static LabelSet FromTrain(IEnumerable<Example> train, string? levelSeparator) =>
        new(train.Select(e => e.Label), levelSeparator);

    public int Count => Names.Count;
    public int IndexOf(string label) => _index.TryGetValue(label, out var i) ? i
        : throw new KeyNotFoundException($"label '{label}' was not seen in training");
    public bool Contains(string label) => _index.ContainsKey(label);

    public string[] Levels(string label) => LevelSeparator is null ? [label] : label.Split(LevelSeparator);

    /// <summary>A dev/test label never seen in train is an error listing every such label.</summary>
    public void CheckKnown(IEnumerable<Example> examples, string source)
    {
        var unknown = examples.Select(e => e.Label).Where(l => !Contains(l)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{source}: labels not seen in train: {string.Join(", ", unknown.Select(u => $"'{u}'"))}");
    }
}

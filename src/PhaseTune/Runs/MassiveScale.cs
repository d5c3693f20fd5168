namespace PhaseTune.Runs;

/// <summary>How much of a report's experiment a reproduction runs: seeded stratified slices of the training, dev and
/// test sets (null: all of it), an epoch cap (null: the report's epochs) and a max length (null: the config's).</summary>
public sealed record MassiveScale(string Name, int? Train, int? Dev, int? Test, int? Epochs, int? MaxLength)
{
    /// <summary>Seconds per row on tiny slices: that every row runs (the test suite runs it with scratch:tiny).</summary>
    public static readonly MassiveScale Smoke = new("smoke", 120, 60, 60, 1, 16);

    /// <summary>Every row in about an hour on 2 CPU cores with a bert-mini-sized encoder: the report's epochs on 4,000
    /// training examples, 500 dev examples for model selection and the whole test set.</summary>
    public static readonly MassiveScale Small = new("small", 4000, 500, null, null, null);

    /// <summary>The report's sizes: every example, the report's epochs.</summary>
    public static readonly MassiveScale Full = new("full", null, null, null, null, null);

    public static MassiveScale Parse(string name) => name switch
    {
        "smoke" => Smoke,
        "small" => Small,
        "full" => Full,
        _ => throw new ArgumentException($"--scale: unknown scale '{name}' (smoke, small, full)"),
    };

    /// <summary>Whether the run reads slices written to its output folder rather than the data folder itself.</summary>
    public bool Slices => Train is not null || Dev is not null || Test is not null;
}

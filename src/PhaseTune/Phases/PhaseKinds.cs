namespace PhaseTune.Phases;

/// <summary>The phase vocabulary: each <see cref="PhaseKind"/>'s name (as configs, flags and logs write it), what it
/// is, and the phase sequences a classifier run accepts.</summary>
public static class PhaseKinds
{
    static readonly (PhaseKind Kind, string Name, string Summary)[] Table =
    [
        (PhaseKind.Dae, "dae", "TSDAE denoising autoencoder (3-Phase phase 1)"),
        (PhaseKind.Contrastive, "cl", "supervised Siamese contrastive learning with imbalance correction (phase 2)"),
        (PhaseKind.Joint, "joint", "DAE and contrastive losses together (the Joint variant)"),
        (PhaseKind.FineTune, "ft", "fine-tuning with the MLP head (phase 3)"),
        (PhaseKind.Mlm, "mlm", "masked-language-model pre-training (BERT's masking)"),
        (PhaseKind.SimCse, "simcse", "unsupervised SimCSE (dropout views)"),
        (PhaseKind.SupervisedSimCse, "simcse-sup", "supervised SimCSE (same-label positive, other-label hard negative)"),
        (PhaseKind.Mnrl, "mnrl", "Multiple Negatives Ranking on positive pairs or same-label texts"),
        (PhaseKind.SupCon, "supcon", "supervised contrastive learning (SupCon)"),
        (PhaseKind.SimClr, "simclr", "SimCLR's NT-Xent on two noised views"),
        (PhaseKind.MultiTask, "multitask", "multi-task training of one encoder with a head per task"),
    ];

    public static string Name(this PhaseKind kind) => Table.First(t => t.Kind == kind).Name;

    public static string Summary(this PhaseKind kind) => Table.First(t => t.Kind == kind).Summary;

    public static bool TryParse(string name, out PhaseKind kind)
    {
        foreach (var t in Table)
            if (t.Name == name) { kind = t.Kind; return true; }
        kind = default;
        return false;
    }

    /// <param name="what">what the name was given as, for the error ("--phases", "pretrain", a config file)</param>
    public static PhaseKind Parse(string name, string what = "phase") => TryParse(name, out var kind) ? kind
        : throw new ArgumentException($"{what}: {Unknown(name)}");

    public static string Unknown(string name) => $"unknown phase '{name}' ({string.Join(", ", Table.Select(t => t.Name))})";

    public static string Names(IEnumerable<PhaseKind> kinds) => string.Join(",", kinds.Select(Name));

    /// <summary>Contrastive objectives that train sentence embeddings before a classifier (two-stage recipes).</summary>
    public static readonly PhaseKind[] EmbeddingObjectives =
        [PhaseKind.SimCse, PhaseKind.SupervisedSimCse, PhaseKind.Mnrl, PhaseKind.SupCon, PhaseKind.SimClr];

    /// <summary>What `pretrain --objective` accepts: MLM, DAE and the embedding objectives.</summary>
    public static readonly PhaseKind[] PretrainObjectives = [PhaseKind.Mlm, PhaseKind.Dae, .. EmbeddingObjectives];

    /// <summary>Whether the phase reads labels (the others train on texts alone).</summary>
    public static bool NeedsLabels(this PhaseKind kind) =>
        kind is not (PhaseKind.Dae or PhaseKind.Mlm or PhaseKind.SimCse or PhaseKind.SimClr);

    static readonly PhaseKind[][] BaseRecipes =
    [
        [PhaseKind.Dae, PhaseKind.Contrastive, PhaseKind.FineTune], [PhaseKind.Joint, PhaseKind.FineTune],
        [PhaseKind.Contrastive, PhaseKind.FineTune], [PhaseKind.Dae, PhaseKind.FineTune], [PhaseKind.FineTune],
        .. EmbeddingObjectives.Select(o => new[] { o, PhaseKind.FineTune }),
    ];

    /// <summary>The phase sequences of a classifier run: the paper's method, its variants and the two-stage recipes,
    /// each also after a masked-LM phase (domain-adaptive pre-training first).</summary>
    public static readonly PhaseKind[][] ClassifierRecipes = [.. BaseRecipes, .. BaseRecipes.Select(r => new[] { PhaseKind.Mlm }.Concat(r).ToArray())];
}

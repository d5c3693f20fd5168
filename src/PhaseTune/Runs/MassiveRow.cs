namespace PhaseTune.Runs;

/// <summary>One row of a report's results table: its index and name as the report prints them, the config that runs
/// it (a `train` config file), and the report's numbers.</summary>
/// <param name="ContrastiveLoss">the report's final contrastive loss for the row's first stage (MASSIVE Table 8), if any</param>
public sealed record MassiveRow(int Index, string Name, string Config, double ReportLoss, double ReportAccuracy,
    double? ContrastiveLoss = null)
{
    /// <summary>The row's output folder name: the config's file name without its extension.</summary>
    public string Slug => Path.GetFileNameWithoutExtension(Config);
}
